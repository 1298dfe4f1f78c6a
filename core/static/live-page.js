// A page that follows work in progress (a cohort job, an event claim being issued) without reloading
// itself, which would move a screen reader back to the top (WCAG 2.2.1; axe's meta-refresh rule): the
// element marked data-live (with an id) is fetched again, less and less often, and its new content
// shown; once the page comes back without data-live, the work is done: its whole <main> is shown and its
// first heading announced. Without this script, each such page has a link that loads it again.
(function () {
  "use strict";
  var live = document.querySelector("[data-live][id]");
  var main = document.querySelector("main");
  if (!live || !main || !window.fetch || !window.DOMParser) {
    return;
  }
  var announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  document.body.appendChild(announcer);
  var delays = [1, 2, 3, 5, 8]; // seconds; then every 10
  var asked = 0;
  function later() {
    setTimeout(ask, 1000 * (asked < delays.length ? delays[asked++] : 10));
  }
  function ask() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html");
        var now = fresh && fresh.getElementById(live.id);
        var freshMain = fresh && fresh.querySelector("main");
        if (!now || !freshMain) {
          later();
        } else if (now.hasAttribute("data-live")) {
          live.replaceChildren.apply(live, Array.prototype.slice.call(now.childNodes));
          later();
        } else {
          main.replaceChildren.apply(main, Array.prototype.slice.call(freshMain.childNodes));
          document.title = fresh.title;
          var heading = now.querySelector("h1, h2");
          announcer.textContent = (heading || now).textContent.trim();
        }
      })
      .catch(later);
  }
  later();
})();
