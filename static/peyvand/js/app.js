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
