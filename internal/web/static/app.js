// Behaviour the pages declare with data attributes, so that no page needs
// inline script (the Content-Security-Policy allows none).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) window.print();
});
document.addEventListener("change", function (e) {
  var el = e.target.closest("[data-autosubmit]");
  if (el && el.form) el.form.submit();
});
