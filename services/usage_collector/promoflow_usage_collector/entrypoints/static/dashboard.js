// Draws the HO dashboard's charts with Chart.js from the JSON the server put in the page
// (<script type="application/json" id="dashboard-charts">: a list of chart specs, see
// entrypoints/chart_data.py). Once Chart.js has drawn a chart, its canvas carries
// data-rendered="true", its size in pixels (data-width, data-height), how many pixels were
// painted (data-painted) and the labels and values Chart.js drew (data-labels, data-values),
// so a headless browser's DOM dump shows what was drawn. Without Chart.js the page says so.
(function () {
  "use strict";
  var palette = ["#2f6fb0", "#e08a1e", "#3a9a5b", "#b0413e", "#7057a3"];
  var source = document.getElementById("dashboard-charts");
  var specs = source ? JSON.parse(source.textContent) : [];

  function paintedPixels(canvas) {
    var pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    var painted = 0;
    for (var i = 3; i < pixels.length; i += 4) {
      if (pixels[i] !== 0) painted += 1;
    }
    return painted;
  }

  var markRendered = {
    id: "promoflowMarkRendered",
    afterRender: function (chart) {
      var canvas = chart.canvas;
      canvas.dataset.width = String(canvas.width);
      canvas.dataset.height = String(canvas.height);
      canvas.dataset.painted = String(paintedPixels(canvas));
      canvas.dataset.labels = JSON.stringify(chart.data.labels);
      canvas.dataset.values = JSON.stringify(chart.data.datasets[0].data);
      canvas.dataset.rendered = "true";
    }
  };

  if (typeof window.Chart === "undefined") {
    var note = document.getElementById("charts-unavailable");
    if (note && specs.length) note.hidden = false;
    document.body.dataset.charts = "unavailable";
    return;
  }
  specs.forEach(function (spec) {
    var canvas = document.getElementById("chart-" + spec.id);
    if (!canvas) return;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: [{
          label: spec.title,
          data: spec.values,
          backgroundColor: spec.horizontal ? palette : palette[0]
        }]
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        animation: false,
        responsive: false,
        plugins: {
          legend: { display: false },
          title: { display: true, text: spec.title },
          tooltip: {
            callbacks: {
              label: function (item) { return spec.shown[item.dataIndex]; }
            }
          }
        }
      },
      plugins: [markRendered]
    });
  });
  document.body.dataset.charts = "drawn";
})();
