// Draws every chart on the page from the options the server emitted with json_script.
(function () {
  "use strict";
  var charts = [];
  document.querySelectorAll(".chart[data-options]").forEach(function (element) {
    var source = document.getElementById(element.dataset.options);
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(JSON.parse(source.textContent));
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
