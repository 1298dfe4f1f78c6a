// The offline QR code opens /verify#vc=<VC-JWT>: the fragment never reaches the server or its logs.
// Put the token in the form and submit it (a POST body, not a URL), then forget the fragment.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var match = /^#vc=([A-Za-z0-9_\-.~]+)$/.exec(window.location.hash);
  if (!match) { return; }
  history.replaceState(null, "", window.location.pathname);
  var form = document.getElementById("verify-form");
  document.getElementById("credential").value = match[1];
  form.submit();
});
