// Peyvand's own page behaviour. Third-party libraries are loaded before this file.
(function () {
  "use strict";
  // The Jalali picker takes the date inputs of Jalali users; Gregorian and Hijri ones
  // (data-calendar on the input or the page) have calendar-picker.js.
  var JALALI_INPUTS = 'input[data-jdp]:not([data-calendar="gregorian"]):not([data-calendar="hijri"])';
  function jalaliInput(element) {
    return element && element.matches && element.matches(JALALI_INPUTS) &&
      !(window.peyvandCalendarPicker && peyvandCalendarPicker.isOurs(element));
  }
  function toPersianDigits(text) {
    return text.replace(/[0-9]/g, function (d) { return String.fromCharCode(0x06f0 + Number(d)); });
  }
  function toLatinDigits(text) {
    return text.replace(/[\u06f0-\u06f9]/g, function (d) { return String(d.charCodeAt(0) - 0x06f0); })
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); });
  }
  function startDatePickers() {
    var jalali = (document.body.dataset.calendar || "jalali") === "jalali";
    if (window.jalaliDatepicker) {
      jalaliDatepicker.startWatch({
        selector: jalali ? JALALI_INPUTS : 'input[data-jdp][data-calendar="jalali"]',
        persianDigits: true, autoShow: true, time: false, hasSecond: false,
        // Above the top bar and the round «+» button (1030): on a phone the picker is a
        // sheet at the screen's bottom.
        zIndex: 1040
      });
    }
  }
  document.addEventListener("DOMContentLoaded", startDatePickers);
  // The Jalali picker reads and writes Latin digits only: it is handed the value in
  // Latin digits as it opens (this listener runs first, in the capture phase), and what
  // it writes, like what is left when the input is left, becomes Persian again.
  document.addEventListener("focusin", function (event) {
    if (jalaliInput(event.target)) { event.target.value = toLatinDigits(event.target.value); }
  }, true);
  ["change", "focusout"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var input = event.target;
      if (jalaliInput(input) && /[0-9]/.test(input.value)) { input.value = toPersianDigits(input.value); }
    });
  });
  // Close the search suggestions with Escape.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var box = document.getElementById("search-suggestions");
      if (box) { box.innerHTML = ""; }
    }
  });
})();

// The Content-Security-Policy allows no inline handlers or style attributes (README,
// «Production»), so pages say what they need in data- attributes and this file does it.
// data-confirm on a form (or on one of its submit buttons): ask before sending it.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter && event.submitter.closest("[data-confirm]");
  var question = button ? button.getAttribute("data-confirm") : form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
// data-autosubmit on a filter's <select>: choosing sends the form — not where the same
// inputs are part of a bigger form (a rule's conditions: data-no-autosubmit).
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form && !field.closest("[data-no-autosubmit]")) { field.form.submit(); }
});
// data-select-on-focus on a read-only field (a link to copy): focusing selects it all.
document.addEventListener("focusin", function (event) {
  if (event.target.matches("input[data-select-on-focus]")) { event.target.select(); }
});
// data-width="42" on a progress bar: its width in percent (also after htmx swaps it).
function applyWidths(root) {
  if (!root || !root.querySelectorAll) { return; }
  var bars = Array.from(root.querySelectorAll("[data-width]"));
  if (root.matches && root.matches("[data-width]")) { bars.push(root); }
  bars.forEach(function (bar) { bar.style.width = Number(bar.getAttribute("data-width")) + "%"; });
}
document.addEventListener("DOMContentLoaded", function () { applyWidths(document); });
document.addEventListener("htmx:load", function (event) { applyWidths(event.detail.elt); });

// Formsets: "add another" clones the empty row (<template data-formset-empty>) with the
// next index and bumps TOTAL_FORMS, as Django's formsets expect.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-formset-add]");
  if (!button) { return; }
  var set = button.closest("[data-formset]");
  var prefix = set.getAttribute("data-formset");
  var total = set.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
  var html = set.querySelector("template[data-formset-empty]").innerHTML.replace(/__prefix__/g, total.value);
  set.querySelector("[data-formset-rows]").insertAdjacentHTML("beforeend", html);
  total.value = String(Number(total.value) + 1);
  var inputs = set.querySelectorAll("[data-formset-row]:last-child input[type=text]");
  if (inputs.length) { inputs[0].focus(); }
});

// Record pickers: <select data-autocomplete-url> asks the server as the user types
// (the server answers only records the user may see).
// Tom Select points the <label> at its own text box (which it names by aria-labelledby);
// the <select> it hides stays in the page for the form, so it keeps the label's words
// by aria-label (without the required field's star), or axe finds a nameless control.
function keepPickerName(select) {
  if (select.hasAttribute("aria-label") || !select.labels || !select.labels.length) { return; }
  var label = select.labels[0].cloneNode(true);
  label.querySelectorAll("[aria-hidden]").forEach(function (part) { part.remove(); });
  var named = label.textContent.trim();
  if (named) { select.setAttribute("aria-label", named); }
}

function startPickers(root) {
  if (!window.TomSelect) { return; }
  root.querySelectorAll("select[data-autocomplete-url]:not(.tomselected)").forEach(function (select) {
    keepPickerName(select);
    new TomSelect(select, {
      valueField: "id", labelField: "text", searchField: [], allowEmptyOption: true,
      loadThrottle: 250, maxOptions: 20,
      load: function (query, callback) {
        var url = select.dataset.autocompleteUrl;
        url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query);
        fetch(url, { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      render: { no_results: function () { return '<div class="no-results">چیزی پیدا نشد</div>'; } }
    });
  });
  // Several people out of a short list (a request's watchers): typed to filter.
  root.querySelectorAll("select[multiple][data-pick-many]:not(.tomselected)").forEach(function (select) {
    keepPickerName(select);
    new TomSelect(select, {
      plugins: ["remove_button"],
      onItemAdd: function () { this.setTextboxValue(""); },
      render: { no_results: function () { return '<div class="no-results">چیزی پیدا نشد</div>'; } }
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { startPickers(document); });
document.addEventListener("htmx:afterSwap", function (event) { startPickers(event.target); });

// Links that act on the current filters (exports): take the filter form's values at
// click time, since htmx may have changed them since the page loaded.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-query-from]");
  if (!link) { return; }
  var form = document.querySelector(link.getAttribute("data-query-from"));
  var query = new URLSearchParams(new FormData(form)).toString();
  link.href = link.href.split("?")[0] + (query ? "?" + query : "");
});

// Forms that act on a list's current filters (a background export): the filter form's
// values go into their «params» field when they are sent.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-params-from]");
  if (!form) { return; }
  var filters = document.querySelector(form.getAttribute("data-params-from"));
  form.querySelector("input[name=params]").value = new URLSearchParams(new FormData(filters)).toString();
});

// A list's «نماها» and «ستون‌ها» forms keep the list's query as it is now: a live search
// (htmx) changes the results and pushes the address, not these forms drawn with the page,
// whose «params» would bring back the query from before the typing.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-params-from-address]");
  if (!form) { return; }
  form.querySelector("input[name=params]").value = window.location.search.replace(/^\?/, "");
});

// A heading checkbox ticks every row checkbox of the same name in its table (or in its
// [data-check-scope], such as a module of the role editor); it shows whether all, some or
// none of them are ticked.
function checkAllScope(all) {
  return all.closest("[data-check-scope]") || all.closest("table");
}
function checkAllBoxes(all) {
  var name = all.getAttribute("data-check-all");
  return checkAllScope(all).querySelectorAll("input[type=checkbox][name='" + name + "']");
}
function showCheckAll(all) {
  var boxes = Array.from(checkAllBoxes(all));
  var ticked = boxes.filter(function (box) { return box.checked; }).length;
  all.checked = boxes.length > 0 && ticked === boxes.length;
  all.indeterminate = ticked > 0 && ticked < boxes.length;
}
document.addEventListener("change", function (event) {
  var all = event.target.closest("input[data-check-all]");
  if (all) {
    checkAllBoxes(all).forEach(function (box) { box.checked = all.checked; });
    return;
  }
  var scope = event.target.closest("[data-check-scope]");
  if (scope && event.target.name) {
    scope.querySelectorAll("input[data-check-all='" + event.target.name + "']").forEach(showCheckAll);
  }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-check-scope] input[data-check-all]").forEach(showCheckAll);
});

// File inputs in Persian: the browser's own button speaks the browser's language
// ("Choose Files"), so a Persian button and the chosen names stand in for it.
function persianFileInputs(root) {
  root.querySelectorAll("input[type=file]:not([data-fa-file])").forEach(function (input) {
    input.setAttribute("data-fa-file", "");
    var group = document.createElement("div");
    group.className = "input-group" + (input.classList.contains("form-control-sm") ? " input-group-sm" : "");
    var button = document.createElement("label");
    button.className = "btn btn-outline-secondary";
    button.htmlFor = input.id;
    button.textContent = "انتخاب فایل…";
    var names = document.createElement("span");
    names.className = "form-control text-truncate text-secondary";
    names.textContent = "فایلی انتخاب نشده است";
    input.parentNode.insertBefore(group, input);
    group.append(button, names, input);
    input.classList.add("visually-hidden");
    input.addEventListener("change", function () {
      var chosen = Array.from(input.files).map(function (file) { return file.name; });
      names.textContent = chosen.length ? chosen.join("، ") : "فایلی انتخاب نشده است";
    });
  });
}
document.addEventListener("DOMContentLoaded", function () { persianFileInputs(document); });

// Message editor: picking a template fills the text (the preview follows through htmx);
// a placeholder button inserts "{نام}" where the cursor is.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (select.name !== "template" || !select.closest("#compose-form")) { return; }
  var data = document.getElementById("message-templates");
  if (!data || !select.value) { return; }
  var chosen = JSON.parse(data.textContent).find(function (t) { return String(t.id) === select.value; });
  if (!chosen) { return; }
  var form = select.closest("form");
  form.elements.channel.value = chosen.channel;
  toggleSubject(form);
  if (form.elements.subject) { form.elements.subject.value = chosen.subject; }
  form.elements.body.value = chosen.body;
  form.elements.body.dispatchEvent(new Event("input", { bubbles: true }));
});
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-insert-placeholder]");
  if (!button) { return; }
  var body = button.closest("form").elements.body;
  var text = "{" + button.getAttribute("data-insert-placeholder") + "}";
  var start = body.selectionStart || body.value.length;
  body.value = body.value.slice(0, start) + text + body.value.slice(body.selectionEnd || start);
  body.focus();
  body.selectionStart = body.selectionEnd = start + text.length;
  body.dispatchEvent(new Event("input", { bubbles: true }));
});

// The email subject shows only for emails (in the message editor, #compose-form; other
// forms have fields of those names that mean something else).
function toggleSubject(form) {
  if (!form || form.id !== "compose-form" || !form.elements.subject || !form.elements.channel) { return; }
  var row = form.elements.subject.closest(".mb-3");
  if (row) { row.hidden = form.elements.channel.value !== "email"; }
}
document.addEventListener("DOMContentLoaded", function () { toggleSubject(document.getElementById("compose-form")); });
document.addEventListener("change", function (event) {
  if (event.target.name === "channel") { toggleSubject(event.target.closest("form")); }
});

// The bell: asks every few seconds how many notifications are unseen, and pops up the
// new ones. The id of the newest one shown is kept for the tab (sessionStorage), so a
// notification pops up once, whichever page is open when it arrives.
(function () {
  var bell = document.getElementById("notification-bell");
  if (!bell) { return; }
  var badge = document.getElementById("notification-count");
  var toasts = document.getElementById("notification-toasts");
  var key = "peyvand.lastNotification";
  var digits = new Intl.NumberFormat("fa-IR");

  function toast(item) {
    var box = document.createElement("div");
    box.className = "toast";
    box.setAttribute("role", "status");
    var header = document.createElement("div");
    header.className = "toast-header";
    var icon = document.createElement("i");
    icon.className = "bi bi-bell-fill text-primary ms-2";
    icon.setAttribute("aria-hidden", "true");
    var title = document.createElement("a");
    title.className = "me-auto fw-semibold";
    title.href = item.url;
    title.textContent = item.title;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", "بستن");
    header.append(icon, title, close);
    box.append(header);
    if (item.body) {
      var body = document.createElement("div");
      body.className = "toast-body";
      body.textContent = item.body;
      box.append(body);
    }
    toasts.append(box);
    bootstrap.Toast.getOrCreateInstance(box, { delay: 10000 }).show();
  }

  // New work for a user who asked for it (preferences) opens a dialog that waits for
  // them; each item links to the work.
  function popUp(items) {
    var dialog = document.getElementById("assignment-dialog");
    if (!dialog) { items.forEach(toast); return; }
    var list = dialog.querySelector("[data-assignments]");
    items.forEach(function (item) {
      var link = document.createElement("a");
      link.className = "list-group-item list-group-item-action";
      link.href = item.url;
      var title = document.createElement("div");
      title.className = "fw-semibold";
      title.textContent = item.title;
      link.append(title);
      if (item.body) {
        var body = document.createElement("div");
        body.className = "small text-secondary";
        body.textContent = item.body;
        link.append(body);
      }
      list.prepend(link);
    });
    bootstrap.Modal.getOrCreateInstance(dialog).show();
  }
  var dialog = document.getElementById("assignment-dialog");
  if (dialog) {
    dialog.addEventListener("hidden.bs.modal", function () {
      dialog.querySelector("[data-assignments]").replaceChildren();
    });
  }

  var inFlight = false;
  function poll() {
    if (inFlight) { return; }  // a slow answer: do not ask twice for the same ones
    inFlight = true;
    var stored = sessionStorage.getItem(key);
    fetch(bell.dataset.pollUrl + "?after=" + (stored || "0"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        badge.hidden = data.unseen === 0;
        badge.textContent = data.unseen > 99 ? "۹۹+" : digits.format(data.unseen);
        bell.setAttribute("aria-label", data.unseen ? "اعلان‌ها، " + digits.format(data.unseen) + " خوانده‌نشده" : "اعلان‌ها");
        // An earlier answer may have shown some already: each pops up once.
        var current = sessionStorage.getItem(key);
        var shown = parseInt(current || "0", 10);
        var fresh = data.fresh.filter(function (item) { return item.id > shown; });
        // The first poll of a tab only notes where it stands: old ones are in the list.
        if (current !== null) {
          var oldestFirst = fresh.slice().reverse();
          oldestFirst.filter(function (item) { return !item.pop_up; }).forEach(toast);
          var dialogs = oldestFirst.filter(function (item) { return item.pop_up; });
          if (dialogs.length) { popUp(dialogs); }
        }
        var newest = fresh.length ? fresh[0].id : shown;
        sessionStorage.setItem(key, String(Math.max(newest, shown)));
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .finally(function () { inFlight = false; });
  }
  var every = parseInt(bell.dataset.pollMs, 10);
  if (every > 0) {  // 0: polling switched off (NOTIFICATION_POLL_SECONDS=0)
    poll();
    setInterval(poll, every);
  }
})();

// Follow-up entry rows (a lead's page): N opens the row (by key position, so it works
// on a Persian keyboard too) and focuses its first field; Enter in the description
// saves (Shift+Enter is a new line); Escape closes it. A new row after a save is
// opened again, ready for the next one.
(function () {
  "use strict";
  function show(form) {
    form.hidden = false;
    var first = form.querySelector("select, input:not([type=hidden]), textarea");
    if (first) { first.focus(); }
  }
  // The page carries an empty slot; the row itself is fetched the first time it opens.
  function openEntry() {
    var form = document.querySelector("form[data-entry]");
    if (form) { show(form); return; }
    var slot = document.querySelector("[data-entry-slot]");
    if (!slot || slot.dataset.loading) { return; }
    slot.dataset.loading = "1";
    htmx.ajax("GET", slot.dataset.entrySlot, { target: slot, swap: "outerHTML" }).then(function () {
      var loaded = document.querySelector("form[data-entry]");
      if (loaded) { show(loaded); }
    });
  }
  function hasEntry() {
    return document.querySelector("form[data-entry], [data-entry-slot]") !== null;
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.code === "KeyN" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      if (hasEntry()) { event.preventDefault(); openEntry(); }
      return;
    }
    var entry = target.closest && target.closest("form[data-entry]");
    if (!entry) { return; }
    if (event.key === "Escape") { entry.hidden = true; return; }
    if (event.key === "Enter" && !event.shiftKey && target.tagName === "TEXTAREA") {
      event.preventDefault();
      entry.requestSubmit();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-open-entry]")) { openEntry(); }
  });
  // Saving: the field the user pressed Enter in lets go of focus and its date picker
  // first, so the Enter's own key-up (which may land after the answer) reopens nothing.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var entry = event.target.closest && event.target.closest("form[data-entry]");
    if (!entry) { return; }
    if (entry.contains(document.activeElement)) { document.activeElement.blur(); }
    peyvandClosePicker();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!(event.target.querySelector && event.target.querySelector("[data-followups]"))) { return; }
    // Saved or refused, the picker of the field Enter was pressed in goes (on a phone
    // it is a sheet over the page's foot, and a saved row leaves no field to close it).
    peyvandClosePicker();
    var entry = event.target.querySelector("form[data-entry]");
    if (!entry) { return; }
    // htmx gives focus back to the field of the same id in the new (hidden) row, which
    // would open its date picker: after a save, nothing in the row keeps focus.
    if (entry.hidden && entry.contains(document.activeElement)) { document.activeElement.blur(); }
    if (!entry.hidden) {
      var invalid = entry.querySelector("[aria-invalid=true]");
      if (invalid) { invalid.focus(); }
    }
  });
})();

// Due lists (my follow-ups): Enter or a double click on a row opens its record.
document.addEventListener("keydown", function (event) {
  var row = event.target.closest && event.target.closest("[data-open-url]");
  if (row && event.key === "Enter") { window.location = row.dataset.openUrl; }
});
document.addEventListener("dblclick", function (event) {
  var row = event.target.closest("[data-open-url]");
  if (row) { window.location = row.dataset.openUrl; }
});

// Drag a card to another stage column: the move is posted; if the server refuses,
// the page reloads to show where the lead really is.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var board = document.querySelector(".pipeline");
  if (!board) { return; }
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("[data-lead]");
    if (dragged) { event.dataTransfer.setData("text/plain", dragged.dataset.lead); }
  });
  board.addEventListener("dragover", function (event) {
    if (dragged && event.target.closest("[data-stage]")) { event.preventDefault(); }
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest("[data-stage]");
    if (!dragged || !column) { return; }
    event.preventDefault();
    column.querySelector(".pipeline-drop").prepend(dragged);
    var choice = dragged.querySelector("select[name=stage]");
    if (choice) { choice.value = column.dataset.stage; }
    var url = board.dataset.stageUrlTemplate.replace("/0/", "/" + dragged.dataset.lead + "/");
    var body = new URLSearchParams({ stage: column.dataset.stage });
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": document.querySelector("[name=csrfmiddlewaretoken]").value, "HX-Request": "true" }
    }).then(function (response) { if (!response.ok) { window.location.reload(); } });
    dragged = null;
  });
});

// A form larger than the server reads (data-max-form-mb on <body>, files aside), or with a
// file larger than its input's data-max-mb, is stopped before it is sent: the server
// could only refuse the whole request, and the user would lose what they typed.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
  var megabyte = 1024 * 1024;
  var limit = Number(document.body.getAttribute("data-max-form-mb")) * megabyte;
  var encoder = new TextEncoder();
  var bytes = 0;
  var problem = "";
  Array.from(form.elements).forEach(function (field) {
    if (!field.name || field.disabled) { return; }
    if (field.type === "file") {
      var most = Number(field.getAttribute("data-max-mb")) * megabyte;
      Array.from(field.files || []).forEach(function (file) {
        if (most && file.size > most) { problem = field.getAttribute("data-max-message"); }
      });
    } else if (field.value) {
      bytes += encoder.encode(field.value).length;
    }
  });
  if (!problem && limit && bytes > limit) {
    problem = document.body.getAttribute("data-max-form-message");
  }
  if (!problem) { return; }
  event.preventDefault();
  event.stopImmediatePropagation();
  var alert = form.querySelector("[data-size-alert]");
  if (!alert) {
    alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-size-alert", "");
    form.prepend(alert);
  }
  alert.textContent = problem;
  alert.scrollIntoView({ block: "center" });
}, true);

// data-show-when="method=cheque" (or "status=deposited,bounced") on a part of a form: it
// is shown only while the form's control of that name has one of those values. Hidden
// parts keep what was typed; the server ignores fields the choice does not use.
function applyShowWhen(form) {
  if (!form) { return; }
  form.querySelectorAll("[data-show-when]").forEach(function (part) {
    var rule = part.getAttribute("data-show-when").split("=");
    var control = form.elements.namedItem(rule[0]);
    var value = control ? (control.value !== undefined ? control.value : "") : "";
    if (control && control instanceof RadioNodeList) { value = control.value; }
    part.hidden = rule[1].split(",").indexOf(value) === -1;
  });
}
document.addEventListener("change", function (event) {
  if (event.target.form) { applyShowWhen(event.target.form); }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("[data-show-when]")) { applyShowWhen(form); }
  });
});

// Lists (core.lists): «/» puts the cursor in the list's search box, as on most sites.
document.addEventListener("keydown", function (event) {
  var target = event.target;
  var typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
  if (event.key !== "/" || typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
  var search = document.querySelector(".list-filter-bar input[type=search]");
  if (search) { event.preventDefault(); search.focus(); search.select(); }
});
// Installable on a phone: the service worker (core.app_shell) keeps the app's frame and
// a Persian offline page; it never keeps a page's data.
(function () {
  "use strict";
  var url = document.body && document.body.dataset.serviceWorker;
  if (url && "serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {});
    });
  }
})();
// Quick create: «+» anywhere but in a field opens the menu, its first entry focused.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "+" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    var button = document.getElementById("quick-create");
    if (!button || !window.bootstrap) { return; }
    event.preventDefault();
    bootstrap.Dropdown.getOrCreateInstance(button).show();
    var first = button.parentElement.querySelector(".dropdown-item");
    if (first) { first.focus(); }
  });
})();
// The Jalali picker ignores Escape, a click elsewhere or hide() during its opening
// (300 ms), then shows itself anyway over the form: closing it hides it now and again
// once that has passed, unless the focus is in a date field by then. Escape, a click
// outside it and a saved follow-up row (above) close it.
function peyvandClosePicker() {
  "use strict";
  if (!window.jalaliDatepicker) { return; }
  jalaliDatepicker.hide();
  setTimeout(function () {
    var active = document.activeElement;
    var inDateField = active && active.matches && active.matches("input[data-jdp]");
    if (!inDateField) { jalaliDatepicker.hide(); }
  }, 350);
}
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape") { peyvandClosePicker(); }
});
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target.closest && target.closest("jdp-container, input[data-jdp]")) { return; }
  peyvandClosePicker();
});
// The form dialog (core.dialog): a link with data-dialog (the quick-create menu, «ثبت
// تماس» on a contact) opens its page in a frame over this one; Ctrl or the middle button
// open it in a tab, as any link. The framed page says when it is saved (this page shows
// its messages, with a link to the record) or cancelled.
(function () {
  "use strict";
  var ORIGIN = window.location.origin;
  function framed() {
    if (window.parent === window) { return; }
    function tell(message) { window.parent.postMessage(message, ORIGIN); }
    var saved = document.querySelector("[data-dialog-saved]");
    if (saved) {
      var messages = Array.from(document.querySelectorAll("#content > .alert")).map(function (alert) {
        var level = (alert.className.match(/alert-(success|info|warning|danger)/) || [])[1];
        return { level: level || "success", text: alert.textContent.trim() };
      });
      tell({ type: "peyvand:dialog-saved", messages: messages, to: saved.dataset.to || "" });
      return;
    }
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      var href = link.getAttribute("href");
      if (href.charAt(0) === "#" || link.hasAttribute("data-bs-toggle") || link.target || link.hasAttribute("download")) { return; }
      event.preventDefault();
      if (link.hasAttribute("data-dialog-cancel")) { tell({ type: "peyvand:dialog-cancel" }); return; }
      window.top.location.href = link.href;  // another page: the dialog gives way to it
    });
    // Escape closes the dialog, unless it closes an open date picker or suggestion list.
    window.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var open = Array.from(document.querySelectorAll("jdp-container, .ts-dropdown")).some(function (box) {
        return box.getClientRects().length > 0;  // none while hidden
      });
      if (!open) { tell({ type: "peyvand:dialog-cancel" }); }
    }, true);
  }
  if (document.body.classList.contains("in-dialog")) { framed(); return; }
  var dialog = document.getElementById("form-dialog");
  if (!dialog || !window.bootstrap) { return; }
  var frame = dialog.querySelector("iframe");
  var title = document.getElementById("form-dialog-title");
  var modal = bootstrap.Modal.getOrCreateInstance(dialog, { backdrop: "static" });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-dialog]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    var url = new URL(link.href);
    url.searchParams.delete("next");
    url.searchParams.set("dialog", "1");
    title.textContent = link.getAttribute("data-dialog-title") || link.textContent.trim();
    frame.title = title.textContent;
    frame.src = url.pathname + url.search;
    modal.show();
  });
  // Loaded: the form's first field takes the keyboard (a date field would open its picker).
  frame.addEventListener("load", function () {
    var page = frame.contentDocument;
    if (!page || !page.body || !page.body.classList.contains("in-dialog")) { return; }
    var first = Array.from(page.querySelectorAll("#content form input:not([type=hidden]):not([data-jdp]), #content form select, #content form textarea")).find(function (field) {
      return field.getClientRects().length > 0;
    });
    frame.contentWindow.focus();
    // Unless the user is already in a field (a slow page loads after their click).
    if (first && page.activeElement === page.body) { first.focus(); }
  });
  dialog.addEventListener("hidden.bs.modal", function () { frame.src = "about:blank"; });
  // Bootstrap ignores hide() while the dialog is still fading in: a quick Escape or a
  // fast save closes it once it is shown.
  var opening = false;
  var closeWhenShown = false;
  dialog.addEventListener("show.bs.modal", function () { opening = true; });
  dialog.addEventListener("shown.bs.modal", function () {
    opening = false;
    if (closeWhenShown) { closeWhenShown = false; modal.hide(); }
  });
  function close() {
    if (opening) { closeWhenShown = true; } else { modal.hide(); }
  }
  function showMessage(message, to) {
    var alert = document.createElement("div");
    alert.className = "alert alert-" + message.level + " alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.append(message.text);
    if (to) {
      var link = document.createElement("a");
      link.className = "alert-link ms-2";
      link.href = to;
      link.textContent = "نمایش";
      alert.append(" ", link);
    }
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "btn-close";
    dismiss.setAttribute("data-bs-dismiss", "alert");
    dismiss.setAttribute("aria-label", "بستن");
    alert.append(dismiss);
    document.getElementById("content").prepend(alert);
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== ORIGIN || event.source !== frame.contentWindow) { return; }
    var data = event.data || {};
    if (data.type === "peyvand:dialog-cancel") { close(); }
    if (data.type !== "peyvand:dialog-saved") { return; }
    close();
    var to = typeof data.to === "string" && data.to.charAt(0) === "/" && data.to.charAt(1) !== "/" ? data.to : "";
    var messages = data.messages && data.messages.length ? data.messages : [{ level: "success", text: "ثبت شد." }];
    messages.slice().reverse().forEach(function (message, index) {
      showMessage(message, index === messages.length - 1 ? to : "");
    });
  });
})();
// The calendar on a phone opens on the day (a week or a month is too wide to read there),
// unless the user chose a view.
(function () {
  "use strict";
  var calendar = document.querySelector("[data-phone-view]");
  if (calendar && window.matchMedia("(max-width: 575.98px)").matches) {
    window.location.replace(calendar.getAttribute("data-phone-view"));
  }
})();
// A designed form's conditions (automation): an element with data-show-if="f12" shows
// only while the answer of the input named f12 is data-show-value (any answer when it
// is empty). The server checks the same rule (automation.submissions.PublicForm).
(function () {
  var dependents = document.querySelectorAll("[data-show-if]");
  if (!dependents.length) { return; }
  function answers(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked) { values.push(input.value === "on" ? "1" : input.value); }
      } else if (input.value.trim()) { values.push(input.value.trim()); }
    });
    return values;
  }
  function update() {
    dependents.forEach(function (element) {
      var form = element.closest("form");
      var wanted = element.getAttribute("data-show-value");
      var given = answers(form, element.getAttribute("data-show-if"));
      var controller = form.querySelector('[name="' + element.getAttribute("data-show-if") + '"]');
      var controllerShown = !controller || !controller.closest("[hidden]");
      element.hidden = !controllerShown || (wanted ? given.indexOf(wanted) < 0 : !given.length);
    });
  }
  document.addEventListener("change", update);
  document.addEventListener("input", update);
  update();
})();
