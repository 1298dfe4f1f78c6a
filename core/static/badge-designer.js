// The console's badge designer: redraw the preview as choices change, by asking the server for the same
// preview its "Preview" button shows (which works without this script).
(function () {
  "use strict";
  var form = document.querySelector("form.badge-designer");
  if (!form || !window.fetch || !window.DOMParser) {
    return;
  }
  var timer = null;
  var asked = 0;
  function redraw() {
    var data = new FormData(form);
    data.set("action", "preview");
    var mine = ++asked;
    // form.getAttribute: the buttons named "action" shadow the form's own .action
    fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== asked) {
          return; // a later change is on its way
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".designer-preview");
        var shown = form.querySelector(".designer-preview");
        if (fresh && shown) {
          shown.replaceChildren.apply(shown, Array.prototype.slice.call(fresh.childNodes));
        }
      })
      .catch(function () { /* the Preview button still works */ });
  }
  form.addEventListener("change", redraw);
  form.addEventListener("input", function (event) {
    if (event.target && event.target.id === "text") {
      clearTimeout(timer);
      timer = setTimeout(redraw, 400);
    }
  });
})();
