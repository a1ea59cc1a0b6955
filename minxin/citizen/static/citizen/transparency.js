/* The transparency page: one ECharts chart (received per month as bars, the three rates as
   lines) from the page's #transparency-data JSON blob. */
(function () {
  "use strict";
  function start() {
    var blob = document.getElementById("transparency-data");
    var el = document.querySelector("[data-chart=months]");
    if (!blob || !el || !window.echarts) { return; }
    var data = JSON.parse(blob.textContent);
    var unfinished = data.unfinished || [];
    var short = data.months.map(function (m, i) {
      return m.replace(/^\d{4}年/, "") + (unfinished[i] ? "(未完)" : "");
    });
    // The current month so far: a pale bar and hollow points, apart from the whole months.
    var mark = function (values, pale) {
      return values.map(function (v, i) {
        return unfinished[i] && v !== null ? { value: v, itemStyle: pale } : v;
      });
    };
    var line = function (name, values, color) {
      return { name: name, type: "line", yAxisIndex: 1, connectNulls: false,
               symbolSize: 5, itemStyle: { color: color }, lineStyle: { color: color },
               data: mark(values, { color: "#fff", borderColor: color, borderType: "dashed" }) };
    };
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "inherit" },
      tooltip: { renderMode: "richText", trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v; } },
      legend: { top: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 } },
      grid: { left: 36, right: 40, top: 48, bottom: 24 },
      xAxis: { type: "category", data: short,
               // every other month, counted back from the latest so that it is always labelled
               axisLabel: { fontSize: 10, interval: function (i) { return (short.length - 1 - i) % 2 === 0; } } },
      yAxis: [
        { type: "value", minInterval: 1, name: "件", nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10 } },
        { type: "value", min: 0, max: 100, name: "%", nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10 }, splitLine: { show: false } }
      ],
      series: [
        { name: "受理", type: "bar", data: mark(data.received, { color: "#eef0f3", borderColor: "#b8bec7", borderType: "dashed" }), barMaxWidth: 16, itemStyle: { color: "#d9dde3" } },
        line("回复率", data.reply, "#1d5fd1"),
        line("按时办结率", data.onTime, "#16825d"),
        line("满意率", data.satisfaction, "#c8102e")
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
