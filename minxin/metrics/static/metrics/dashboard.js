/* The dashboard (metrics): ECharts charts from the page's #dashboard-data JSON blob. */
(function () {
  "use strict";
  var RED = "#c8102e", AMBER = "#c27c00", BLUE = "#1d5fd1";

  function go(url) { if (url) { window.location.href = url; } }

  function grid(items, field, color, urlField) {
    var cols = Math.min(6, Math.max(1, items.length));
    var rows = Math.max(1, Math.ceil(items.length / cols));
    var max = 0;
    var data = items.map(function (item, i) {
      max = Math.max(max, item[field]);
      return { value: [i % cols, rows - 1 - Math.floor(i / cols), item[field]],
               name: item.name, url: item[urlField] };
    });
    var axis = function (n) {
      return { type: "category", data: Array.apply(null, Array(n)).map(function (_, i) { return i; }),
               show: false, splitArea: { show: true } };
    };
    return {
      tooltip: { formatter: function (p) { return p.data.name + "：" + p.data.value[2]; } },
      grid: { left: 8, right: 8, top: 8, bottom: 48 },
      xAxis: axis(cols), yAxis: axis(rows),
      visualMap: { min: 0, max: Math.max(max, 1), calculable: false, orient: "horizontal",
                   left: "center", bottom: 0, itemHeight: 120, inRange: { color: ["#f5f6f8", color] } },
      series: [{ type: "heatmap", data: data, itemStyle: { borderColor: "#fff", borderWidth: 3 },
                 label: { show: true, formatter: function (p) { return p.data.name + "\n" + p.data.value[2]; } },
                 cursor: "pointer" }]
    };
  }

  function options(data) {
    return {
      volume: {
        tooltip: { renderMode: "richText", trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 16, top: 36, bottom: 28 },
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value", minInterval: 1 },
        series: data.channels.map(function (c) {
          return { name: c.name, type: "bar", stack: "total", barMaxWidth: 24, data: c.data };
        })
      },
      categories: {
        tooltip: { renderMode: "richText" },
        grid: { left: 110, right: 24, top: 8, bottom: 24 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: data.categories.map(function (c) { return c.name; }) },
        series: [{ type: "bar", data: data.categories.map(function (c) {
          return { value: c.value, url: c.url };
        }), barMaxWidth: 28, itemStyle: { color: BLUE }, label: { show: true, position: "right" }, cursor: "pointer" }]
      },
      sla: {
        tooltip: { renderMode: "richText" },
        grid: { left: 48, right: 16, top: 16, bottom: 28 },
        xAxis: { type: "category", data: ["在办", "临期", "超期"] },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", barMaxWidth: 56, label: { show: true, position: "top" }, cursor: "pointer",
          data: [
            { value: data.sla.open, url: data.sla.urls.open, itemStyle: { color: BLUE } },
            { value: data.sla.near, url: data.sla.urls.near, itemStyle: { color: AMBER } },
            { value: data.sla.overdue, url: data.sla.urls.overdue, itemStyle: { color: RED } }
          ] }]
      },
      "regions-received": grid(data.regions, "received", BLUE, "receivedUrl"),
      "regions-overdue": grid(data.regions, "overdue", RED, "overdueUrl")
    };
  }

  function start() {
    var blob = document.getElementById("dashboard-data");
    if (!blob || !window.echarts) { return; }
    var all = options(JSON.parse(blob.textContent));
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = all[el.getAttribute("data-chart")];
      if (!option) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, option));
      chart.on("click", function (p) { go(p.data && p.data.url); });
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
