// Behaviour the pages declare with data attributes, so that no page needs
// inline script (the Content-Security-Policy allows none).
"use strict";
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) window.print();
});
document.addEventListener("change", function (e) {
  var el = e.target.closest("[data-autosubmit]");
  if (el && el.form) el.form.submit();
});
// Filter drawers stand open where the screen is wide enough for them.
if (window.matchMedia && window.matchMedia("(min-width: 760px)").matches) {
  document.querySelectorAll("details.drawer").forEach(function (d) { d.open = true; });
}
// A destructive action asks first, saying what will happen and whom it
// tells (the button's data-confirm).
document.addEventListener("submit", function (e) {
  var b = e.submitter;
  var msg = (b && b.getAttribute("data-confirm")) || e.target.getAttribute("data-confirm");
  // Or only when a field is set to a value it did not have (data-was):
  // revoking a manager asks, saving other changes does not.
  var when = e.target.getAttribute("data-confirm-when");
  if (!msg && when) {
    var kv = when.split("="), el = e.target.elements[kv[0]];
    if (el && el.value === kv[1] && el.getAttribute("data-was") !== kv[1]) msg = e.target.getAttribute("data-confirm-text");
  }
  if (msg && !window.confirm(msg)) e.preventDefault();
});

// The installable app: a service worker keeps the shell and the booking
// pages (with their QR codes) for use without signal. Signed out, nothing
// of the last user is kept.
if ("serviceWorker" in navigator && window.isSecureContext) {
  var signedIn = document.body.classList.contains("signed-in");
  if (signedIn) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  } else if (window.caches) {
    caches.keys().then(function (keys) {
      keys.forEach(function (k) { if (k.indexOf("envhome-bookings") === 0) caches.delete(k); });
    });
  }
  document.addEventListener("submit", function (e) {
    if (e.target.action && /\/logout$/.test(e.target.action) && window.caches) caches.delete("envhome-bookings");
  });
}
