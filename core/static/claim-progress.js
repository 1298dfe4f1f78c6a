// An event claim's page while its credential is being issued: ask for the same page again, less and less
// often, and show it once the credential has been issued. Without this script, "Check again" does it.
(function () {
  "use strict";
  var shown = document.getElementById("claim-progress");
  var announce = document.getElementById("claim-announce");
  if (!shown || !announce || !window.fetch || !window.DOMParser) {
    return;
  }
  var delays = [1, 2, 3, 5, 8, 13, 21, 30]; // seconds; then every 30
  var asked = 0;
  function ask() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html");
        var now = fresh && fresh.getElementById("claim-progress");
        if (now && !now.hasAttribute("data-waiting")) {
          shown.removeAttribute("data-waiting");
          shown.replaceChildren.apply(shown, Array.prototype.slice.call(now.childNodes));
          document.title = fresh.title;
          var heading = shown.querySelector("h1");
          announce.textContent = heading ? heading.textContent : "";
          return;
        }
        later();
      })
      .catch(later);
  }
  function later() {
    setTimeout(ask, 1000 * delays[Math.min(asked++, delays.length - 1)]);
  }
  later();
})();
