// Disable a form's submit buttons once it is sent: a double click sends one request.
// (The server is idempotent anyway: the form's one-time key finds the appeal it created.)
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.hasAttribute("hx-post")) return;
  if (form.dataset.submitted === "1") { event.preventDefault(); return; }
  form.dataset.submitted = "1";
  form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
    b.setAttribute("aria-busy", "true");
    setTimeout(function () { b.disabled = true; }, 0);
  });
}, true);
// Ctrl+Enter submits the form the cursor is in (call-takers keep their hands on the keyboard).
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    var form = event.target.closest && event.target.closest("form");
    if (form) { event.preventDefault(); form.requestSubmit(); }
  }
});
// The staff menu on a phone: the bar shows 菜单; a tap opens the pages' list, another closes it.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
  if (!toggle) return;
  var bar = toggle.closest("[data-topbar]");
  var open = !bar.classList.contains("open");
  bar.classList.toggle("open", open);
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
});
