// Peyvand's own page behaviour. Third-party libraries are loaded before this file.
(function () {
  "use strict";
  function startDatePickers() {
    if (window.jalaliDatepicker) {
      jalaliDatepicker.startWatch({ persianDigits: true, autoShow: true, time: false, hasSecond: false });
    }
  }
  document.addEventListener("DOMContentLoaded", startDatePickers);
  // Close the search suggestions with Escape.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var box = document.getElementById("search-suggestions");
      if (box) { box.innerHTML = ""; }
    }
  });
})();

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
