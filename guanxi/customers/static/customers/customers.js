/* Customers pages: progress bars take their width from data-percent (no inline styles/scripts). */
(function () {
  "use strict";
  function paint(root) {
    (root || document).querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-percent") + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  document.addEventListener("htmx:afterSwap", function (event) { paint(event.target.parentNode || document); });
})();
