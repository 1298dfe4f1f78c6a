// "Copy" buttons: <button data-copy="ID" data-status="ID" data-done="Copied" hidden>. Shown only where
// the Clipboard API is (https or localhost); without it the text stays selectable in its field.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) { return; }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.status);
    if (!field || !status) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = button.dataset.done;
      });
    });
  });
});
