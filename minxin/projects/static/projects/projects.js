/* 民心工程 charts: achievement by target, a project's targets, its milestones as a Gantt
   chart. Data comes from the page's json_script block; nothing is fetched. */
(function () {
  "use strict";
  var GREEN = "#2da44e", RED = "#cf222e", BLUE = "#1f6feb", GREY = "#8c959f";

  function shares(rows) {
    return {
      grid: { left: 8, right: 40, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.label; }),
               axisLabel: { width: 130, overflow: "truncate" } },
      tooltip: { renderMode: "richText", trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      series: [{ type: "bar", barMaxWidth: 28, data: rows.map(function (r) {
        return { value: r.share, itemStyle: { color: r.share >= 100 ? GREEN : BLUE } };
      }), label: { show: true, position: "right", formatter: "{c}%" },
      // The 100 % line needs no label of its own: the axis below says 100%.
      markLine: { silent: true, symbol: "none", label: { show: false },
                  lineStyle: { color: GREY, type: "dashed" }, data: [{ xAxis: 100 }] } }]
    };
  }

  function day(s) { return new Date(s + "T00:00:00").getTime(); }

  function gantt(data) {
    var rows = data.milestones;
    return {
      grid: { left: 8, right: 16, top: 24, bottom: 24, containLabel: true },
      xAxis: { type: "time" },
      yAxis: { type: "category", inverse: true, data: rows.map(function (m) { return m.name; }),
               axisLabel: { width: 110, overflow: "truncate" } },
      tooltip: { formatter: function (p) {
        var m = rows[p.dataIndex];
        return m.name + "<br>计划 " + m.start + " 至 " + m.end + (m.done ? "<br>完成 " + m.done : (m.late ? "<br>逾期未完成" : ""));
      } },
      series: [{
        type: "custom",
        renderItem: function (params, api) {
          var start = api.coord([api.value(0), api.value(2)]);
          var end = api.coord([api.value(1), api.value(2)]);
          var h = api.size([0, 1])[1] * 0.5;
          var m = rows[params.dataIndex];
          return { type: "rect", shape: { x: start[0], y: start[1] - h / 2, width: Math.max(end[0] - start[0], 2), height: h },
                   style: { fill: m.done ? GREEN : (m.late ? RED : BLUE) } };
        },
        encode: { x: [0, 1], y: 2 },
        data: rows.map(function (m, i) { return [day(m.start), day(m.end) + 86400000, i]; }),
        markLine: { silent: true, symbol: "none", lineStyle: { color: "#24292f" },
                    // Above the chart (the axis is inverted), where it cannot cover the month below.
                    label: { formatter: "今天", position: "start" }, data: [{ xAxis: day(data.today) }] }
      }]
    };
  }

  function start() {
    var blob = document.getElementById("projects-data");
    if (!blob || !window.echarts) { return; }
    var data = JSON.parse(blob.textContent);
    var options = {};
    if (data.achievements) { options.achievements = shares(data.achievements); }
    if (data.targets) { options.targets = shares(data.targets); }
    if (data.milestones && data.milestones.length) { options.gantt = gantt(data); }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var option = options[el.getAttribute("data-chart")];
      if (!option) { el.style.display = "none"; return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, option));
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  /* A progress report's place from the phone's position: the button shows only where the
     browser can locate (and asks the user's leave); the point goes in the form's hidden fields. */
  function locators() {
    if (!navigator.geolocation) { return; }
    document.querySelectorAll("[data-locate]").forEach(function (button) {
      var box = button.closest("[data-place]");
      var said = box.querySelector("[data-located]");
      button.hidden = false;
      button.addEventListener("click", function () {
        said.textContent = "正在定位…";
        navigator.geolocation.getCurrentPosition(function (at) {
          var lat = at.coords.latitude.toFixed(6), lng = at.coords.longitude.toFixed(6);
          box.querySelector("[name=latitude]").value = lat;
          box.querySelector("[name=longitude]").value = lng;
          said.textContent = "已定位：纬度 " + lat + "，经度 " + lng;
        }, function () {
          said.textContent = "无法获取位置，请检查定位权限，或只选所在地";
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    });
  }

  function ready() { start(); locators(); }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); }
  else { ready(); }
})();
