// Draws a bar chart from each table marked data-chart, into the element
// that names it (data-chart-for): the first column labels the bars, each
// data-value column is a series. The table stays beside the chart for
// screen readers and copying. ECharts is vendored; the page loads it only
// where there are charts.
"use strict";
(function () {
  if (!window.echarts) return;
  var green = "#1f7a4d", amber = "#d97706";
  document.querySelectorAll("[data-chart-for]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-chart-for"));
    if (!table) return;
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    var labels = [], series = {};
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var cells = tr.children;
      if (cells.length < 2) return;
      labels.push(cells[0].textContent.trim());
      for (var i = 1; i < cells.length; i++) {
        if (!cells[i].hasAttribute("data-value")) continue;
        var v = cells[i].textContent.trim();
        (series[i] = series[i] || []).push(v === "" ? null : Number(v));
      }
    });
    if (!labels.length) return;
    var colors = [green, amber];
    var list = Object.keys(series).map(function (i, n) {
      return { name: heads[i], type: "bar", data: series[i], itemStyle: { color: colors[n % 2] }, barMaxWidth: 18 };
    });
    box.style.height = Math.max(160, labels.length * (list.length > 1 ? 34 : 26) + 60) + "px";
    var chart = echarts.init(box, null, { renderer: "canvas" });
    var max = Number(table.getAttribute("data-max")) || null;
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: list.length > 1 ? 28 : 8, bottom: 8, containLabel: true },
      legend: list.length > 1 ? { top: 0 } : undefined,
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "value", max: max, axisLabel: { formatter: "{value}" + (box.getAttribute("data-unit") || "") } },
      yAxis: { type: "category", data: labels, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
      series: list
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
