/* Sales charts: each .gx-chart reads its data from a json_script block (no inline script). */
(function () {
  "use strict";

  function data(el) {
    var node = document.getElementById(el.getAttribute("data-source"));
    return node ? JSON.parse(node.textContent) : null;
  }

  function num(list) {
    return (list || []).map(function (v) { return Number(v); });
  }

  var builders = {
    months: function (d) {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 60, right: 16, top: 16, bottom: 28 },
        xAxis: { type: "category", data: d.months },
        yAxis: { type: "value" },
        series: [{ type: "bar", data: num(d.revenue), itemStyle: { color: "#2f6fed" } }],
      };
    },
    yoy: function (d) {
      return {
        tooltip: { trigger: "axis" },
        legend: { data: d.yoy.labels },
        grid: { left: 60, right: 16, top: 32, bottom: 28 },
        xAxis: { type: "category", data: d.yoy.months },
        yAxis: { type: "value" },
        series: [
          { name: d.yoy.labels[0], type: "line", data: num(d.yoy.this_year) },
          { name: d.yoy.labels[1], type: "line", data: num(d.yoy.last_year), lineStyle: { type: "dashed" } },
        ],
      };
    },
    funnel: function (d) {
      return {
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", data: d.funnel, label: { show: true, position: "inside" } }],
      };
    },
    categories: function (d) {
      return {
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "70%"], data: d.categories.map(function (c) { return { name: c.name, value: Number(c.value) }; }) }],
      };
    },
    forecast: function (d) {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 70, right: 16, top: 16, bottom: 28 },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value" },
        series: [{ type: "bar", data: num(d.values), itemStyle: { color: "#2f6fed" } }],
      };
    },
  };

  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll(".gx-chart[data-chart]").forEach(function (el) {
      var build = builders[el.getAttribute("data-chart")];
      var d = data(el);
      if (!build || !d) return;
      var chart = window.echarts.init(el);
      chart.setOption(build(d));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
