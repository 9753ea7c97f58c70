// Draws the dashboard's ECharts from the page's JSON data block (no inline script: CSP).
(function () {
  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll(".gx-chart[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent)[el.dataset.series] || [];
      var chart = echarts.init(el);
      var option;
      if (el.dataset.chart === "pie") {
        option = {
          tooltip: { trigger: "item" },
          legend: { bottom: 0 },
          series: [{ type: "pie", radius: ["40%", "70%"], data: data }],
        };
      } else {
        option = {
          tooltip: { trigger: "axis" },
          grid: { left: 110, right: 20, top: 10, bottom: 20 },
          xAxis: { type: "value" },
          yAxis: { type: "category", inverse: true, data: data.map(function (d) { return d.name; }) },
          series: [{ type: "bar", data: data.map(function (d) { return d.value; }) }],
        };
      }
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
