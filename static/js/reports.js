/* Periodic reports: draws the charts of the report and dashboard pages from the data embedded
   by Django's json_script (never from markup), with the locally served ECharts, and follows a
   report build's progress (its status polled every second, no page reload until it is done).
   The tables on the pages carry the same figures; the charts only illustrate them. */
(function () {
  "use strict";

  var RED = "#c8102e";
  var PALETTE = [RED, "#3b6fb6", "#e5732b", "#4f8f5a", "#7b5ea7", "#f2b134", "#2f9c95",
    "#8c8c8c", "#b5485d", "#a0522d", "#5b6470", "#d4a017"];
  // Bars shown at first; the others are one click on the legend away.
  var SHOWN_SERIES = 3;

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* Charts ---------------------------------------------------------------------------------- */

  var charts = [];

  function percentFormatter(percent) {
    return function (value) {
      return value === null || value === undefined ? "—" : (percent ? value + "%" : value);
    };
  }

  function barOption(spec) {
    var legendSelected = {};
    spec.series.forEach(function (s, i) { legendSelected[s.name] = i < SHOWN_SERIES; });
    var allPercent = spec.series.every(function (s) { return s.percent; });
    var many = spec.series.length > 1;
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: many ? { type: "scroll", top: 0, selected: legendSelected } : undefined,
      grid: { left: 8, right: 48, top: many ? 32 : 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1,
               max: allPercent ? 100 : null,
               axisLabel: { formatter: allPercent ? "{value}%" : "{value}" } },
      yAxis: { type: "category", inverse: true, data: spec.categories,
               axisLabel: { width: 150, overflow: "truncate" } },
      series: spec.series.map(function (s) {
        return {
          type: "bar", name: s.name, data: s.data, stack: spec.stack ? "all" : undefined,
          barMaxWidth: 22,
          label: { show: !many || spec.series.length <= SHOWN_SERIES, position: "right",
                   formatter: function (p) { return percentFormatter(s.percent)(p.value); } }
        };
      })
    };
  }

  function pieOption(spec) {
    var series = spec.series[0];
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        type: "pie", name: series.name, radius: ["35%", "62%"], center: ["50%", "44%"],
        label: { formatter: "{b}\n{c}" },
        data: spec.categories.map(function (label, i) {
          return { name: label, value: series.data[i] };
        })
      }]
    };
  }

  function lineOption(spec) {
    var percent = spec.series.every(function (s) { return s.percent; });
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1, max: percent ? 100 : null,
               axisLabel: { formatter: percent ? "{value}%" : "{value}" } },
      series: spec.series.map(function (s) {
        return { type: "line", name: s.name, data: s.data, connectNulls: false, symbolSize: 8,
                 label: { show: true, position: "top",
                          formatter: function (p) { return percentFormatter(s.percent)(p.value); } } };
      })
    };
  }

  function height(spec) {
    if (spec.type === "pie") {
      return 320;
    }
    if (spec.type === "line") {
      return 220;
    }
    var shown = Math.min(spec.series.length, SHOWN_SERIES);
    var legend = spec.series.length > 1 ? 32 : 0;
    return Math.max(140, legend + 24 + spec.categories.length * (10 + 12 * (spec.stack ? 1 : shown)));
  }

  function drawCharts() {
    var specs = readJson("report-charts");
    if (!specs || typeof window.echarts === "undefined") {
      return;
    }
    var byId = {};
    specs.forEach(function (spec) { byId[spec.id] = spec; });
    document.querySelectorAll(".report-chart[data-chart]").forEach(function (container) {
      var spec = byId[container.getAttribute("data-chart")];
      if (!spec || !spec.categories.length) {
        container.hidden = true;
        return;
      }
      container.style.height = height(spec) + "px";
      var option = spec.type === "pie" ? pieOption(spec)
        : spec.type === "line" ? lineOption(spec) : barOption(spec);
      var chart = window.echarts.init(container, null, { renderer: "svg" });
      chart.setOption(Object.assign({ color: PALETTE, animation: false }, option));
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  /* Build progress -------------------------------------------------------------------------- */

  function follow(box) {
    var url = box.getAttribute("data-status-url");
    var onDone = box.getAttribute("data-on-done");
    var bar = box.querySelector(".build-bar");
    var status = box.querySelector(".build-status");
    var percent = box.querySelector(".build-percent");
    var step = box.querySelector(".build-step");
    var error = box.querySelector(".build-error");
    var failedText = box.querySelector(".build-failed-text");
    var timer = null;

    function show(data) {
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
      status.textContent = data.status_label;
      percent.textContent = data.percent + "%";
      step.textContent = data.step || "";
      box.className = box.className.replace(/\bbuild-(queued|running|done|failed)\b/, "build-" + data.status);
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          show(data);
          if (data.status === "done") {
            window.clearInterval(timer);
            if (onDone === "open" && data.report_url) {
              window.location.assign(data.report_url);
            } else if (onDone === "reload") {
              window.location.reload();
            } else if (data.report_url) {
              var link = document.createElement("a");
              link.href = data.report_url;
              link.textContent = box.getAttribute("data-open-label") || data.status_label;
              step.textContent = "";
              step.appendChild(link);
            }
          } else if (data.status === "failed") {
            window.clearInterval(timer);
            error.textContent = (failedText ? failedText.textContent + " " : "") + (data.error || "");
            error.hidden = false;
          }
        })
        .catch(function () { /* a missed beat: the next one tries again */ });
    }

    if (box.className.indexOf("build-done") >= 0 || box.className.indexOf("build-failed") >= 0) {
      return;
    }
    timer = window.setInterval(poll, 1000);
    poll();
  }

  drawCharts();
  document.querySelectorAll(".build-progress[data-status-url]").forEach(follow);
})();
