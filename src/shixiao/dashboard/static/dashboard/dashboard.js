/* Draws the dashboard's charts with the vendored Apache ECharts (vendor/echarts), from the
   JSON the server put in #dashboard-data. Every label arrives translated: this file only
   lays bars out. Without JavaScript, or if ECharts did not load, the charts stay hidden and
   the tables under them stay open. Plain ES5, no build step. */
(function () {
  "use strict";

  var BAR = 12;      // px per bar
  var GAP = 14;      // px between two categories
  var LEGEND_ROW = 24;  // px per row of the legend
  var TITLE = 28;    // px for a grid's own title
  var AXIS = 30;     // px for the value axis under a grid
  var SPACE = 18;    // px between two grids
  var EMPTY = 64;    // px for a chart with nothing to show
  var drawn = [];

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function valueText(spec, missing, value) {
    if (value === null || value === undefined || value === "-") return missing;
    if (spec.percent) return (Math.round(value * 1000) / 10).toFixed(1) + "%";
    return String(value);
  }

  // Rows the legend wraps onto at this width, estimated: CJK glyphs are about 12 px wide
  // at the legend's size, others about 7, plus the colour key and the gap.
  function legendHeight(names, width) {
    var rows = 1, used = 0;
    names.forEach(function (name) {
      var item = 40;
      for (var i = 0; i < name.length; i++) item += name.charCodeAt(i) > 0x2e80 ? 12 : 7;
      if (used && used + item > width) { rows += 1; used = 0; }
      used += item;
    });
    return rows * LEGEND_ROW + 8;
  }

  function drawable(grid) {
    return grid.series.filter(function (s) { return s.draw; });
  }

  function emptyOption(missing) {
    return {
      height: EMPTY,
      option: {
        animation: false,
        graphic: [{type: "text", left: "center", top: "middle",
                   style: {text: missing, fill: "#5a6472", fontSize: 16}}]
      }
    };
  }

  function build(spec, width, missing) {
    if (spec.empty) return emptyOption(missing);
    var labelWidth = Math.round(Math.min(220, Math.max(80, width * 0.34)));
    var names = spec.grids.length ? drawable(spec.grids[0]).map(function (s) { return s.name; })
      : [];
    var legend = names.length > 1;
    var top = legend ? legendHeight(names, width) : 6;
    var meta = [];
    var option = {
      animation: false,
      textStyle: {fontFamily: window.getComputedStyle(document.body).fontFamily || "sans-serif"},
      title: [], grid: [], xAxis: [], yAxis: [], series: [],
      tooltip: {
        trigger: "axis", axisPointer: {type: "shadow"}, confine: true,
        formatter: function (params) {
          if (!params.length) return "";
          var lines = ["<strong>" + escapeHtml(params[0].name) + "</strong>"];
          params.forEach(function (p) {
            var s = meta[p.seriesIndex];
            var text = s.texts && s.texts.length ? s.texts[p.dataIndex]
              : valueText(spec, missing, s.values[p.dataIndex]);
            lines.push(p.marker + escapeHtml(p.seriesName) + ": " + escapeHtml(text));
          });
          return lines.join("<br>");
        }
      }
    };
    // A plain legend wraps onto more rows on a phone, so every series stays named.
    if (legend) option.legend = {top: 0, left: 0, right: 0, itemGap: 10};
    spec.grids.forEach(function (grid, index) {
      var series = drawable(grid);
      if (grid.title) {
        option.title.push({text: grid.title, top: top, left: 0,
                           textStyle: {fontSize: 14, fontWeight: 600}});
        top += TITLE;
      }
      var perCategory = spec.stacked ? 1 : Math.max(1, series.length);
      var height = Math.max(1, grid.categories.length) * (perCategory * BAR + GAP);
      // A fixed label column: ECharts' containLabel clips wrapped category names.
      option.grid.push({top: top, height: height, left: labelWidth + 10, right: 48});
      option.xAxis.push({
        type: "value", gridIndex: index, min: 0, max: spec.percent ? 1 : null,
        minInterval: spec.percent ? null : 1,
        axisLabel: {formatter: function (v) {
          return spec.percent ? Math.round(v * 100) + "%" : String(v);
        }}
      });
      option.yAxis.push({
        type: "category", gridIndex: index, data: grid.categories, inverse: true,
        axisTick: {show: false},
        axisLabel: {width: labelWidth, overflow: "break", interval: 0}
      });
      series.forEach(function (s) {
        meta.push(s);
        option.series.push({
          type: "bar", name: s.name, xAxisIndex: index, yAxisIndex: index,
          stack: spec.stacked ? "grid" + index : undefined,
          barMaxWidth: 22,
          itemStyle: {color: s.colour, borderColor: s.border || s.colour,
                      borderWidth: s.border ? 1 : 0},
          label: {
            show: true, position: spec.stacked ? "inside" : "right", fontSize: 11,
            color: spec.stacked && s.border ? s.border : undefined,
            formatter: function (p) {
              if (spec.stacked && !p.value) return "";
              return valueText(spec, missing, p.value);
            }
          },
          data: s.values.map(function (v, i) {
            var item = {value: v === null ? "-" : v};
            if (s.item_colours) item.itemStyle = {color: s.item_colours[i]};
            return item;
          })
        });
      });
      top += height + AXIS + SPACE;
    });
    return {height: top, option: option};
  }

  function draw(spec, missing) {
    var el = document.getElementById(spec.id);
    if (!el) return;
    el.hidden = false;
    var built = build(spec, el.clientWidth || 320, missing);
    el.style.height = built.height + "px";
    var chart = window.echarts.init(el, null, {renderer: "svg"});
    chart.setOption(built.option);
    drawn.push({spec: spec, el: el, chart: chart});
    // The chart is on screen now: fold its table away (it stays one tap from view).
    var figure = el.closest ? el.closest("figure") : null;
    var table = figure ? figure.querySelector("details.chart-table") : null;
    if (table) table.open = false;
  }

  function redraw(missing) {
    drawn.forEach(function (d) {
      var built = build(d.spec, d.el.clientWidth || 320, missing);
      d.el.style.height = built.height + "px";
      d.chart.setOption(built.option, true);
      d.chart.resize();
    });
  }

  function start() {
    var node = document.getElementById("dashboard-data");
    if (!node || !window.echarts) return;
    var data = JSON.parse(node.textContent);
    data.charts.forEach(function (spec) { draw(spec, data.missing); });
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { redraw(data.missing); }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
