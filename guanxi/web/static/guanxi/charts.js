/* Draws every element with data-echarts="ID" from the ECharts option in <script id="ID"
   type="application/json"> (rendered by json_script: no inline script, CSP-safe). */
(function () {
  "use strict";
  function draw(root) {
    if (!window.echarts) return;
    (root || document).querySelectorAll("[data-echarts]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var source = document.getElementById(el.dataset.echarts);
      if (!source) return;
      var chart = window.echarts.init(el);
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
