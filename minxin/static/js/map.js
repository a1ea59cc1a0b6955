/* The maps (挂图作战), offline: region outlines from the app's GeoJSON endpoint registered with
   ECharts' own geo component (no tile server, no CDN), regions shaded by a value, points on
   top, a click goes to the URL the data carries.

   <div data-map data-geo="/console/directory/boundaries.geojson"
        data-source="/…/data.json"          (JSON: regions, series, note; or)
        data-blob="id-of-a-json_script"     (the same JSON already in the page)
        data-points="/…/points.json"        (optional: more series, fetched and added)
        data-tiles="https://…/{z}/{x}/{y}.png"> (optional: a deployment's tile server, drawn
                                                 under the outlines: see tiles() below)
   Data: { regionLabel, regionColor, pointsOnTop, regions: [{key, value, tooltip, url, label}],
           series: [{name, color, points: [{lng, lat, size, label, tooltip, url}]}], note } */
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      });
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function blob(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function say(el, text) {
    var note = el.parentNode.querySelector("[data-map-note]");
    if (note) { note.textContent = text; }
  }

  /* The tile layer. ECharts has none, so the map is laid out in Web Mercator (the geo
     component's own projection hook) and the tiles are <img>s in a layer under the chart's
     canvas, placed from the chart's pixel ↔ longitude/latitude conversion after each render
     (roam and zoom included). Only when the page names a tile server: otherwise the map asks
     nothing of any other host. */
  var MERCATOR = {
    project: function (p) {
      var s = Math.max(-0.9999, Math.min(0.9999, Math.sin(p[1] * Math.PI / 180)));
      return [(p[0] + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
    },
    unproject: function (p) {
      return [p[0] * 360 - 180, 360 / Math.PI * Math.atan(Math.exp((0.5 - p[1]) * 2 * Math.PI)) - 90];
    }
  };

  function tileUrl(template, z, x, y) {
    return template.replace("{z}", z).replace("{x}", x).replace("{y}", y)
      .replace("{-y}", Math.pow(2, z) - 1 - y).replace("{s}", "abc".charAt((x + y) % 3));
  }

  function tiles(chart, layer, template, anchor) {
    // Two points a little apart, in pixels and in the world (1 × 1): the view's scale and
    // where the world's corner is (the chart's pixel → longitude/latitude way does not
    // undo a custom projection, its other way does).
    var a = anchor, b = [anchor[0] + 0.05, anchor[1] - 0.05];
    var pa = chart.convertToPixel({ geoIndex: 0 }, a), pb = chart.convertToPixel({ geoIndex: 0 }, b);
    var wa = MERCATOR.project(a), wb = MERCATOR.project(b);
    if (!pa || !pb || !(pb[0] > pa[0]) || !layer.clientWidth) { return; }
    var scale = (pb[0] - pa[0]) / (wb[0] - wa[0]);  // pixels per world
    var nw = [wa[0] - pa[0] / scale, wa[1] - pa[1] / scale];
    var se = [nw[0] + layer.clientWidth / scale, nw[1] + layer.clientHeight / scale];
    var z = Math.max(0, Math.min(18, Math.round(Math.log(scale / 256) / Math.LN2)));
    var n = Math.pow(2, z), size = scale / n;
    var wanted = {};
    for (var x = Math.max(0, Math.floor(nw[0] * n)); x <= Math.min(n - 1, Math.floor(se[0] * n)); x++) {
      for (var y = Math.max(0, Math.floor(nw[1] * n)); y <= Math.min(n - 1, Math.floor(se[1] * n)); y++) {
        wanted[z + "/" + x + "/" + y] = [x, y];
      }
    }
    Array.prototype.slice.call(layer.children).forEach(function (img) {
      if (!wanted[img.getAttribute("data-tile")]) { layer.removeChild(img); }
    });
    Object.keys(wanted).forEach(function (k) {
      var img = layer.querySelector('[data-tile="' + k + '"]');
      if (!img) {
        img = document.createElement("img");
        img.alt = "";
        img.setAttribute("data-tile", k);
        img.src = tileUrl(template, z, wanted[k][0], wanted[k][1]);
        layer.appendChild(img);
      }
      // Half a pixel more each way: no hairline seams between tiles.
      img.style.left = (wanted[k][0] * size - nw[0] * scale) + "px";
      img.style.top = (wanted[k][1] * size - nw[1] * scale) + "px";
      img.style.width = img.style.height = (size + 0.5) + "px";
    });
  }

  function option(name, geo, data, narrow, tiled) {
    var names = {};
    geo.features.forEach(function (f) { names[f.properties.key] = f.properties.name; });
    var regions = data.regions || [];
    var byKey = {};
    var max = 0;
    regions.forEach(function (r) { byKey[r.key] = r; max = Math.max(max, r.value || 0); });
    var series = [{
      type: "map", geoIndex: 0, name: data.regionLabel || "",
      data: regions.map(function (r) {
        return { name: r.key, value: r.value, tooltip: r.tooltip, url: r.url || "" };
      })
    }];
    var labelled = 0;
    (data.series || []).forEach(function (s) {
      series.push({
        type: "scatter", coordinateSystem: "geo", name: s.name, z: 3,
        itemStyle: { color: s.color, borderColor: "#fff", borderWidth: 1, opacity: 0.9 },
        symbolSize: function (v) { return v[2]; },
        label: { show: true, position: "right", fontSize: 11, color: "#333",
                 formatter: function (p) { return p.data.label || ""; } },
        cursor: "pointer",
        data: s.points.map(function (p) {
          if (p.label) { labelled += 1; }
          return { value: [p.lng, p.lat, p.size || 8], label: p.label, tooltip: p.tooltip, url: p.url };
        })
      });
    });
    // The regions' names (and their label, e.g. 超期 2) as a series of their own, above the
    // points unless the data says points matter more (the geo component's own labels would
    // always sit under them).
    series.push({
      type: "scatter", coordinateSystem: "geo", name: "", z: data.pointsOnTop ? 1 : 5,
      silent: true, symbolSize: 0,
      tooltip: { show: false },
      label: {
        show: true, fontSize: 11, color: "#333", textBorderColor: "#fff", textBorderWidth: 2,
        formatter: function (p) {
          var extra = byKey[p.data.key] && byKey[p.data.key].label;
          return p.data.name + (extra ? "\n{hot|" + extra + "}" : "");
        },
        rich: { hot: { color: "#fff", backgroundColor: "#c8102e", fontWeight: "bold", textBorderWidth: 0,
                       fontSize: 11, padding: [2, 4], borderRadius: 3 } }
      },
      data: geo.features.filter(function (f) { return f.properties.centre; }).map(function (f) {
        return { name: f.properties.name, key: f.properties.key, value: f.properties.centre };
      })
    });
    return {
      animation: false,
      textStyle: { fontFamily: "inherit" },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          // Tooltips come escaped from the server; names from the outlines are escaped here.
          if (p.data && p.data.tooltip) { return p.data.tooltip; }
          return esc(names[p.name] || p.name || "");
        }
      },
      legend: { top: 0, type: "scroll", data: (data.series || []).map(function (s) { return s.name; }) },
      // On a phone the scale lies flat under the map instead of over its left side.
      visualMap: Object.assign({
        type: "continuous", seriesIndex: 0, min: 0, max: Math.max(max, 1), calculable: false,
        text: [data.regionLabel || "", ""], textGap: 6,
        // Over a tile layer the regions are washes through which the streets show.
        inRange: Object.assign({ color: ["#f3f5f8", data.regionColor || "#1d5fd1"] },
                               tiled ? { colorAlpha: [0.15, 0.6] } : {})
      }, narrow ? { orient: "horizontal", left: "center", bottom: 0, itemWidth: 10, itemHeight: 120 }
                : { left: 8, bottom: 8, itemHeight: 90 }),
      geo: {
        map: name, nameProperty: "key", roam: true,
        // Web Mercator, with no squeeze of the height: square tiles fit it.
        projection: tiled ? MERCATOR : undefined, aspectScale: tiled ? 1 : 0.75,
        // Sized to the smaller side of the box, the outline's proportions kept (desk and phone).
        layoutCenter: ["50%", narrow ? "50%" : "53%"], layoutSize: narrow ? "88%" : "92%",
        label: { show: false },
        itemStyle: { areaColor: tiled ? "rgba(243, 245, 248, 0.15)" : "#f3f5f8",
                     borderColor: tiled ? "#3b4557" : "#7b8597", borderWidth: tiled ? 1.5 : 1 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: "#ffe08a" } },
        select: { disabled: true }
      },
      series: series
    };
  }

  function mount(el) {
    if (!window.echarts) { return; }
    var name = "minxin-" + (el.getAttribute("data-level") || "subdistrict");
    var source = el.getAttribute("data-source");
    var points = el.getAttribute("data-points");
    var loads = [
      getJSON(el.getAttribute("data-geo")),
      source ? getJSON(source) : Promise.resolve(blob(el.getAttribute("data-blob")) || {}),
      points ? getJSON(points) : Promise.resolve({})
    ];
    Promise.all(loads).then(function (got) {
      var geo = got[0], data = got[1], extra = got[2];
      data.series = (data.series || []).concat(extra.series || []);
      var notes = [data.note, extra.note].filter(Boolean).join("；");
      if (!geo.features || !geo.features.length) {
        say(el, "尚未导入区划边界：请管理员在管理后台“区划边界”中导入 GeoJSON。" + (notes ? notes : ""));
        el.hidden = true;
        return;
      }
      say(el, notes);
      window.echarts.registerMap(name, geo);
      var template = el.getAttribute("data-tiles") || "";
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      var layer = null;
      if (template) {  // after init (which empties the element), before the chart's canvas
        layer = document.createElement("div");
        layer.className = "mx-map-tiles";
        el.insertBefore(layer, el.firstChild);
      }
      chart.setOption(option(name, geo, data, el.clientWidth < 520, Boolean(template)));
      chart.on("click", function (p) {
        if (p.data && p.data.url) { window.location.href = p.data.url; }
      });
      if (layer) {
        var anchor = geo.features.map(function (f) { return f.properties.centre; }).filter(Boolean)[0];
        var draw = function () { if (anchor) { tiles(chart, layer, template, anchor); } };
        chart.on("finished", draw);
        chart.on("georoam", function () { window.requestAnimationFrame(draw); });
        draw();
      }
      window.addEventListener("resize", function () { chart.resize(); });
      el.setAttribute("data-map-ready", "1");
    }).catch(function () {
      say(el, "地图数据加载失败，请刷新重试。");
    });
  }

  function start() { document.querySelectorAll("[data-map]").forEach(mount); }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
