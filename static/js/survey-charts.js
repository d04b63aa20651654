/* Survey results: draws the charts of the results page from the data embedded by Django's
   json_script (never from markup), with the locally served ECharts. The tables on the page
   carry the same figures; the charts only illustrate them. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var data = readJson("survey-chart-data");
  var labels = readJson("survey-chart-labels") || {};
  if (!data || typeof window.echarts === "undefined") {
    return;
  }
  var RED = "#c8102e";
  var PALETTE = [RED, "#e5732b", "#f2b134", "#4f8f5a", "#3b6fb6", "#7b5ea7", "#8c8c8c",
    "#b5485d", "#2f9c95", "#a0522d"];
  var charts = [];

  function draw(container, height, option) {
    container.style.height = height + "px";
    var chart = window.echarts.init(container, null, { renderer: "svg" });
    chart.setOption(Object.assign({ color: PALETTE, animation: false }, option));
    charts.push(chart);
  }

  function pie(question) {
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        type: "pie",
        radius: ["35%", "65%"],
        center: ["50%", "45%"],
        label: { formatter: "{b}\n{c}" },
        data: question.labels.map(function (label, i) {
          return { name: label, value: question.counts[i] };
        })
      }]
    };
  }

  function bars(question) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: question.labels,
               axisLabel: { width: 260, overflow: "truncate" } },
      series: [{ type: "bar", name: labels.answers || "", data: question.counts,
                 label: { show: true, position: "right" }, itemStyle: { color: RED } }]
    };
  }

  var byId = {};
  (data.questions || []).forEach(function (question) { byId[String(question.id)] = question; });

  document.querySelectorAll(".survey-chart[data-question]").forEach(function (container) {
    var question = byId[container.getAttribute("data-question")];
    if (!question || !question.labels.length) {
      return;
    }
    if (question.kind === "single") {
      draw(container, 300, pie(question));
    } else {
      draw(container, Math.max(160, 40 * question.labels.length + 20), bars(question));
    }
  });

  var prefectures = data.prefectures || {};
  var prefectureChart = document.querySelector('.survey-chart[data-chart="prefectures"]');
  if (prefectureChart && prefectures.labels && prefectures.labels.length) {
    draw(prefectureChart, 320, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: prefectures.labels, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", name: labels.targeted || "", data: prefectures.targeted,
          itemStyle: { color: "#c9ced6" } },
        { type: "bar", name: labels.responses || "", data: prefectures.responses,
          itemStyle: { color: RED } }
      ]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
