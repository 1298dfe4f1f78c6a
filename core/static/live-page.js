// A page that follows work in progress (a cohort job, an event claim being issued) without reloading
// itself, which would take a screen reader back to the top (WCAG 2.2.1; axe's meta-refresh rule): the
// element marked data-live (with an id) is fetched again, less and less often, and shown when its text
// has changed; once the page comes back without data-live, the work is done: its whole <main> is shown,
// its first heading announced and, if focus was in the page, focused. It stops on an error answer, a
// redirect (signed out) or after about ten minutes; the page's "Check again" link works without it.
(function () {
  "use strict";
  var live = document.querySelector("[data-live][id]");
  var main = document.querySelector("main");
  if (!live || !main || !window.fetch || !window.DOMParser || !main.replaceChildren) {
    return;
  }
  var announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  document.body.appendChild(announcer);
  var delays = [1, 2, 3, 5, 8]; // seconds; then every 10, up to MAX_ASKS in all
  var MAX_ASKS = 65;
  var asked = 0;
  function later() {
    if (asked < MAX_ASKS) {
      setTimeout(ask, 1000 * (asked < delays.length ? delays[asked] : 10));
      asked += 1;
    }
  }
  function children(node) {
    return Array.prototype.slice.call(node.childNodes);
  }
  function done(fresh, now, freshMain) {
    var focusWasHere = main.contains(document.activeElement) || document.activeElement === document.body;
    main.replaceChildren.apply(main, children(freshMain));
    document.title = fresh.title;
    var heading = main.querySelector("h1");
    var news = now.querySelector("h1, h2") || now;
    announcer.textContent = news.textContent.trim();
    if (heading && focusWasHere) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }
  function ask() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          return null; // signed out, or gone: "Check again" shows why
        }
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          var now = fresh.getElementById(live.id);
          var freshMain = fresh.querySelector("main");
          if (!now || !freshMain) {
            return null;
          }
          if (!now.hasAttribute("data-live")) {
            done(fresh, now, freshMain);
            return null;
          }
          if (now.textContent !== live.textContent) {
            live.replaceChildren.apply(live, children(now));
          }
          later();
          return null;
        });
      })
      .catch(later); // the network, for a moment: ask again later
  }
  later();
})();
