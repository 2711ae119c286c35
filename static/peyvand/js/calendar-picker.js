// The date picker for Gregorian and Hijri users (the Jalali picker, jalalidatepicker,
// knows only Jalali). A month grid from Saturday to Friday, computed in the browser:
// Gregorian by plain date arithmetic, Hijri from the month lengths of hijri-months.js,
// generated from the server's tables (hijridate) — Chromium's own islamic-umalqura
// calendar disagrees with them on some months; a browser test compares the two day by
// day. It writes Persian digits, as the server shows them
// (core.dates reads any digits). Keyboard: ArrowDown from the input opens the grid; the
// arrows move a day or a week, PageUp/PageDown a month, Shift+PageUp/PageDown a year,
// Home/End the week's ends, Enter picks, Escape closes.
(function () {
  "use strict";
  var DAY = 86400000;
  var MONTHS = {
    gregorian: ["ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر"],
    hijri: ["محرم", "صفر", "ربیع\u200cالاول", "ربیع\u200cالثانی", "جمادی\u200cالاول", "جمادی\u200cالثانی", "رجب", "شعبان", "رمضان", "شوال", "ذی\u200cالقعده", "ذی\u200cالحجه"]
  };
  var CALENDAR_NAMES = { gregorian: "میلادی", hijri: "قمری" };
  var WEEKDAYS = ["شنبه", "یکشنبه", "دوشنبه", "سه\u200cشنبه", "چهارشنبه", "پنجشنبه", "جمعه"];
  var SHORT_WEEKDAYS = ["ش", "ی", "د", "س", "چ", "پ", "ج"];

  function fa(text) {
    return String(text).replace(/[0-9]/g, function (d) { return String.fromCharCode(0x06f0 + Number(d)); });
  }
  function latin(text) {
    return String(text)
      .replace(/[\u06f0-\u06f9]/g, function (d) { return String(d.charCodeAt(0) - 0x06f0); })
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); });
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function todayUtc() {
    var now = new Date();
    return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  }

  // Hijri month starts from hijri-months.js (the server's Umm al-Qura tables).
  var hijriStarts = null;
  function hijriTable() {
    if (!hijriStarts) {
      var table = window.peyvandHijriMonths;
      var ms = Date.UTC(table.firstDay[0], table.firstDay[1] - 1, table.firstDay[2]);
      hijriStarts = [];
      table.years.forEach(function (year) {
        for (var m = 0; m < 12; m++) {
          hijriStarts.push(ms);
          ms += (28 + Number(year[m])) * DAY;
        }
      });
      hijriStarts.push(ms); // the day after the table's last month
    }
    return hijriStarts;
  }

  // A day is a UTC midnight in milliseconds; parts are [year, month, day] in the
  // calendar (null for a Hijri day beyond the tables, 1924–2077).
  function parts(calendar, ms) {
    if (calendar === "gregorian") {
      var d = new Date(ms);
      return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    }
    var starts = hijriTable();
    if (ms < starts[0] || ms >= starts[starts.length - 1]) { return null; }
    var low = 0;
    var high = starts.length - 2;
    while (low < high) { // the last month starting on or before ms
      var mid = Math.ceil((low + high) / 2);
      if (starts[mid] <= ms) { low = mid; } else { high = mid - 1; }
    }
    return [window.peyvandHijriMonths.firstYear + Math.floor(low / 12), low % 12 + 1, Math.round((ms - starts[low]) / DAY) + 1];
  }

  // The day of a calendar date, or null if there is none (30 Jumada al-Thani 1448).
  function dayOf(calendar, year, month, day) {
    var ms;
    if (calendar === "gregorian") {
      ms = Date.UTC(year, month - 1, day);
    } else {
      var index = (year - window.peyvandHijriMonths.firstYear) * 12 + month - 1;
      var starts = hijriTable();
      if (month < 1 || month > 12 || index < 0 || index >= starts.length - 1 || day < 1) { return null; }
      ms = starts[index] + (day - 1) * DAY;
    }
    var got = parts(calendar, ms);
    return got && got[0] === year && got[1] === month && got[2] === day ? ms : null;
  }

  // The first day of the month ms is in; null beyond the Hijri tables.
  function monthStart(calendar, ms) {
    var p = parts(calendar, ms);
    return p ? ms - (p[2] - 1) * DAY : null;
  }
  // The same day ``count`` months on (or the month's last, if shorter); null if that
  // leaves the Hijri tables.
  function addMonths(calendar, ms, count) {
    var first = monthStart(calendar, ms);
    var day = parts(calendar, ms)[2];
    for (var i = 0; i < Math.abs(count) && first !== null; i++) {
      first = count > 0 ? monthStart(calendar, first + 31 * DAY) : monthStart(calendar, first - DAY);
    }
    if (first === null) { return null; }
    var target = first + (day - 1) * DAY;
    while (monthStart(calendar, target) !== first) { target -= DAY; }
    return target;
  }
  function known(calendar, ms) {
    return ms !== null && monthStart(calendar, ms) !== null;
  }

  function format(calendar, ms) {
    var p = parts(calendar, ms);
    return fa(p[0] + "/" + pad(p[1]) + "/" + pad(p[2]));
  }
  function longDate(calendar, ms) {
    var p = parts(calendar, ms);
    var weekday = WEEKDAYS[(new Date(ms).getUTCDay() + 1) % 7];
    return fa(weekday + " " + p[2] + " " + MONTHS[calendar][p[1] - 1] + " " + p[0]);
  }

  function readValue(calendar, text) {
    var match = /^\s*(\d{4})\s*[\/.\-]\s*(\d{1,2})\s*[\/.\-]\s*(\d{1,2})/.exec(latin(text || ""));
    return match ? dayOf(calendar, +match[1], +match[2], +match[3]) : null;
  }
  function timeOf(text) {
    var match = /(\d{1,2}:\d{2})\s*$/.exec(latin(text || ""));
    return match ? match[1] : "09:00";
  }

  var picker = null; // {input, calendar, element, focused (the day the grid is on)}
  var refocused = null; // the input focus went back to on closing: not to reopen there

  function close(returnFocus) {
    if (!picker) { return; }
    var input = picker.input;
    picker.element.remove();
    picker = null;
    if (returnFocus) {
      refocused = input;
      input.focus();
      refocused = null;
    }
  }

  function choose(ms) {
    var input = picker.input;
    var text = format(picker.calendar, ms);
    if (!input.hasAttribute("data-jdp-only-date")) { text += " " + fa(timeOf(input.value)); }
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    close(true);
  }

  function button(label, text, onClick, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className || "btn btn-sm btn-light";
    b.setAttribute("aria-label", label);
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function render(focusGrid) {
    var calendar = picker.calendar;
    var element = picker.element;
    element.textContent = "";
    var first = monthStart(calendar, picker.focused);
    var p = parts(calendar, first);
    var head = document.createElement("div");
    head.className = "cp-head";
    var title = document.createElement("div");
    title.className = "cp-title";
    title.id = "cp-title";
    title.setAttribute("aria-live", "polite");
    title.textContent = fa(MONTHS[calendar][p[1] - 1] + " " + p[0]) + (calendar === "hijri" ? " ق" : "");
    function move(count) {
      return function () {
        var next = addMonths(calendar, picker.focused, count);
        if (known(calendar, next)) { picker.focused = next; render(false); }
      };
    }
    // Right to left: «previous» sits on the right.
    head.appendChild(button("سال قبل", "«", move(-12)));
    head.appendChild(button("ماه قبل", "‹", move(-1)));
    head.appendChild(title);
    head.appendChild(button("ماه بعد", "›", move(1)));
    head.appendChild(button("سال بعد", "»", move(12)));
    element.appendChild(head);

    var grid = document.createElement("div");
    grid.className = "cp-grid";
    grid.setAttribute("role", "grid");
    grid.setAttribute("aria-labelledby", "cp-title");
    var row = document.createElement("div");
    row.setAttribute("role", "row");
    row.className = "cp-row";
    SHORT_WEEKDAYS.forEach(function (name, index) {
      var cell = document.createElement("div");
      cell.setAttribute("role", "columnheader");
      cell.setAttribute("aria-label", WEEKDAYS[index]);
      cell.className = "cp-weekday";
      cell.textContent = name;
      row.appendChild(cell);
    });
    grid.appendChild(row);
    // From the Saturday on or before the 1st.
    var start = first - ((new Date(first).getUTCDay() + 1) % 7) * DAY;
    var selected = readValue(calendar, picker.input.value);
    var today = todayUtc();
    var focusButton = null;
    var last = first;
    while (monthStart(calendar, last + DAY) === first) { last += DAY; }
    var end = last + (6 - (new Date(last).getUTCDay() + 1) % 7) * DAY;
    for (var ms = start; ms <= end; ms += DAY) {
      if ((ms - start) / DAY % 7 === 0) {
        row = document.createElement("div");
        row.setAttribute("role", "row");
        row.className = "cp-row";
        grid.appendChild(row);
      }
      var cell = document.createElement("div");
      cell.setAttribute("role", "gridcell");
      if (monthStart(calendar, ms) === first) {
        var b = button(longDate(calendar, ms), fa(parts(calendar, ms)[2]), choose.bind(null, ms), "cp-day");
        b.dataset.day = String(ms);
        b.tabIndex = ms === picker.focused ? 0 : -1;
        if (ms === selected) { b.setAttribute("aria-pressed", "true"); b.classList.add("cp-selected"); }
        if (ms === today) { b.classList.add("cp-today"); b.setAttribute("aria-current", "date"); }
        if (ms === picker.focused) { focusButton = b; }
        cell.appendChild(b);
      }
      row.appendChild(cell);
    }
    element.appendChild(grid);
    var foot = document.createElement("div");
    foot.className = "cp-foot";
    foot.appendChild(button("امروز", "امروز", function () { choose(today); }, "btn btn-sm btn-outline-primary"));
    foot.appendChild(button("بستن", "بستن", function () { close(true); }, "btn btn-sm btn-link"));
    element.appendChild(foot);
    if (focusGrid && focusButton) { focusButton.focus(); }
  }

  function place() {
    var rect = picker.input.getBoundingClientRect();
    var element = picker.element;
    var width = Math.min(300, document.documentElement.clientWidth - 16);
    element.style.width = width + "px";
    var right = Math.max(8, document.documentElement.clientWidth - rect.right);
    right = Math.min(right, document.documentElement.clientWidth - width - 8);
    element.style.right = right + "px";
    element.style.top = (window.scrollY + rect.bottom + 4) + "px";
  }

  function open(input, calendar) {
    if (picker && picker.input === input) { return; }
    close(false);
    var element = document.createElement("div");
    element.className = "calendar-picker shadow";
    element.setAttribute("role", "dialog");
    element.setAttribute("aria-label", "انتخاب تاریخ " + CALENDAR_NAMES[calendar]);
    element.addEventListener("keydown", onKey);
    // A click inside the picker must not count as a click outside it.
    element.addEventListener("mousedown", function (event) { event.preventDefault(); });
    picker = {
      input: input,
      calendar: calendar,
      element: element,
      focused: readValue(calendar, input.value) || todayUtc()
    };
    if (!known(calendar, picker.focused)) { picker = null; return; } // beyond 2077
    document.body.appendChild(element);
    render(false);
    place();
  }

  function onKey(event) {
    if (!picker) { return; }
    var steps = { ArrowLeft: 1, ArrowRight: -1, ArrowDown: 7, ArrowUp: -7 };
    var target = event.target;
    if (event.key === "Escape") {
      event.preventDefault();
      close(true);
      return;
    }
    if (!target.dataset || !target.dataset.day) { return; }
    var ms = Number(target.dataset.day);
    var next = null;
    if (event.key in steps) { next = ms + steps[event.key] * DAY; }
    if (event.key === "PageDown") { next = addMonths(picker.calendar, ms, event.shiftKey ? 12 : 1); }
    if (event.key === "PageUp") { next = addMonths(picker.calendar, ms, event.shiftKey ? -12 : -1); }
    if (event.key === "Home") { next = ms - ((new Date(ms).getUTCDay() + 1) % 7) * DAY; }
    if (event.key === "End") { next = ms + (6 - (new Date(ms).getUTCDay() + 1) % 7) * DAY; }
    if (next === null && event.key.indexOf("Page") !== 0) { return; }
    event.preventDefault();
    if (!known(picker.calendar, next)) { return; }
    picker.focused = next;
    render(true);
  }

  function calendarOf(input) {
    return input.dataset.calendar || document.body.dataset.calendar || "jalali";
  }
  function ours(input) {
    return input && input.matches && input.matches("input[data-jdp]") && CALENDAR_NAMES[calendarOf(input)];
  }

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (ours(input)) {
      if (input !== refocused) { open(input, calendarOf(input)); }
    } else if (picker && !picker.element.contains(input)) {
      close(false);
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    // The path as dispatched: a month button is gone from the page once the grid is
    // redrawn, but the click was still inside the picker.
    var inside = picker && event.composedPath().indexOf(picker.element) >= 0;
    if (picker && target !== picker.input && !inside) { close(false); }
    if (!picker && ours(target)) { open(target, calendarOf(target)); }
  });
  document.addEventListener("keydown", function (event) {
    if (!picker || event.target !== picker.input) { return; }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      render(true);
    } else if (event.key === "Escape" || event.key === "Tab") {
      close(false);
    }
  });
  // Typing moves the grid to the typed month.
  document.addEventListener("input", function (event) {
    if (!picker || event.target !== picker.input) { return; }
    var typed = readValue(picker.calendar, picker.input.value);
    if (typed) { picker.focused = typed; render(false); }
  });
  window.addEventListener("resize", function () { if (picker) { place(); } });

  window.peyvandCalendarPicker = {
    // For the browser test that holds this picker's Hijri days to the server's.
    format: format,
    dayOf: dayOf,
    isOurs: function (input) { return Boolean(ours(input)); }
  };
})();
