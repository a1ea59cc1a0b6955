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
// No inline scripts (the Content-Security-Policy forbids them): what pages used to do in
// onclick= attributes is done here, from data- attributes.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!target.closest) return;
  // The screening panel's suggested units fill the lead-unit picker.
  var unit = target.closest("button[data-lead-unit]");
  if (unit && unit.form && unit.form.lead_unit) {
    unit.form.lead_unit.value = unit.dataset.leadUnit;
    return;
  }
  // "返回上一页" goes back when there is a page to go back to (its href otherwise).
  var back = target.closest("a[data-history-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
// Single-key shortcuts, listed on the pages that have them: a key clicks the visible element
// marked data-key="<key>" (A: accept triage's suggestion and dispatch); O opens the first
// appeal of a queue. Never while typing, nor with a modifier held.
document.addEventListener("keydown", function (event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  var target = event.target;
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
  var key = (event.key || "").toLowerCase();
  var marked = Array.prototype.filter.call(
    document.querySelectorAll('[data-key="' + key + '"]'),
    function (el) { return el.offsetParent !== null && !el.disabled; });
  var element = marked[0] || (key === "o" ? document.querySelector("table.list td.title a") : null);
  if (!element) return;
  event.preventDefault();
  element.click();
});
// A long list picked by typing: <input data-filter="#list"> hides the options of a <select>
// (and empty groups), or the [data-filter-item] rows of a list, that do not contain the words.
document.addEventListener("input", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches("input[data-filter]")) return;
  var list = document.querySelector(input.getAttribute("data-filter"));
  if (!list) return;
  var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  function fits(text) {
    text = text.toLowerCase();
    return words.every(function (w) { return text.indexOf(w) !== -1; });
  }
  if (list.tagName === "SELECT") {
    var first = null;
    Array.prototype.forEach.call(list.options, function (option) {
      var show = !option.value || fits(option.textContent);
      option.hidden = !show;
      if (show && option.value && first === null) first = option;
    });
    Array.prototype.forEach.call(list.querySelectorAll("optgroup"), function (group) {
      group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
    });
    if (words.length && first && list.selectedOptions[0] && list.selectedOptions[0].hidden) {
      first.selected = true;
    }
  } else {
    Array.prototype.forEach.call(list.querySelectorAll("[data-filter-item]"), function (item) {
      item.hidden = !fits(item.textContent);
    });
  }
});
// Saved filters (全部诉求): the list's query kept under a name in this browser, offered as links.
(function () {
  function key(box) { return "minxin.filters." + box.getAttribute("data-saved-filters"); }
  function load(box) {
    try { return JSON.parse(localStorage.getItem(key(box)) || "[]"); } catch (e) { return []; }
  }
  function draw(box) {
    var list = box.querySelector("[data-saved-list]");
    list.textContent = "";
    load(box).forEach(function (saved, i) {
      var link = document.createElement("a");
      link.href = location.pathname + saved.query;
      link.textContent = saved.name;
      link.className = "saved-filter";
      var drop = document.createElement("button");
      drop.type = "button"; drop.className = "link"; drop.textContent = "×";
      drop.setAttribute("aria-label", "删除查询 " + saved.name);
      drop.addEventListener("click", function () {
        var all = load(box); all.splice(i, 1);
        localStorage.setItem(key(box), JSON.stringify(all)); draw(box);
      });
      list.appendChild(link); list.appendChild(drop);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-saved-filters]").forEach(function (box) {
      draw(box);
      box.querySelector("[data-save-filter]").addEventListener("click", function () {
        var query = location.search.replace(/([?&])page=\d+&?/, "$1").replace(/[?&]$/, "");
        if (!query) { alert("请先设置条件并点“筛选”，再保存"); return; }
        var name = (prompt("给这个查询起个名字：") || "").trim().slice(0, 20);
        if (!name) return;
        var all = load(box).filter(function (s) { return s.name !== name; });
        all.push({name: name, query: query});
        localStorage.setItem(key(box), JSON.stringify(all.slice(-10))); draw(box);
      });
    });
  });
})();

// 知识库: "插入答复" puts a standard answer (the <template> beside the button, text only) into
// the reply being written, at the cursor; the handler edits it before sending.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-insert-answer]");
    if (!button) return;
    var form = button.closest("form");
    var box = form && form.querySelector("textarea[name=reason]");
    var source = button.parentElement.querySelector("template");
    if (!box || !source) return;
    var text = source.content.textContent.trim();
    var at = box.selectionStart || box.value.length;
    box.value = box.value.slice(0, at) + text + box.value.slice(at);
    box.focus();
    box.setSelectionRange(at + text.length, at + text.length);
  });
})();

// 联合处置: "据此起草答复" puts the joint visit's draft (the <template> beside the button, text
// only) into the reply form (办结答复), opening it; a reply already begun is kept, the draft after it.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-draft-reply]");
    if (!button) return;
    var form = document.querySelector("details[data-action=resolve]");
    var box = form && form.querySelector("textarea[name=reason]");
    var source = button.parentElement.querySelector("template");
    if (!box || !source) return;
    var text = source.content.textContent.trim();
    form.open = true;
    box.value = box.value.trim() ? box.value.trim() + "\n" + text : text;
    box.focus();
    form.scrollIntoView({block: "nearest"});
  });
})();

// Bars: data-bar="42" is a 42 % width, data-bar-at="42" a mark 42 % along. Set through the
// element's style object, which the Content-Security-Policy allows (style= attributes it refuses).
(function () {
  function clamp(value) { return Math.max(0, Math.min(100, parseFloat(value) || 0)) + "%"; }
  function draw(root) {
    root.querySelectorAll("[data-bar]").forEach(function (el) {
      el.style.width = clamp(el.getAttribute("data-bar"));
    });
    root.querySelectorAll("[data-bar-at]").forEach(function (el) {
      el.style.left = clamp(el.getAttribute("data-bar-at"));
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
// A page laid out for paper (the bulletin): its 打印 button opens the browser's print dialog.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) { event.preventDefault(); window.print(); }
});
