// Report charts: every <canvas data-chart="id"> draws the rows the server sent in the
// JSON script element of that id (the table's own numbers), with Chart.js, right to
// left in Vazirmatn, numbers in Persian digits.
(function () {
  if (!window.Chart) { return; }
  var digits = new Intl.NumberFormat("fa-IR");
  var colours = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997"];
  function persian(text) {
    return String(text).replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[d]; });
  }
  Chart.defaults.font.family = "Vazirmatn, Tahoma, sans-serif";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var chart = JSON.parse(source.textContent);
    var round = chart.kind === "doughnut";
    new Chart(canvas, {
      type: chart.kind,
      data: {
        labels: chart.labels.map(persian),
        datasets: chart.datasets.map(function (dataset, index) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: round ? colours : colours[index % colours.length],
            borderColor: colours[index % colours.length],
            tension: 0.2
          };
        })
      },
      options: {
        maintainAspectRatio: false,
        animation: false,  // drawn at once: what a screenshot or a print shows is final
        locale: "fa-IR",
        plugins: {
          legend: { rtl: true, display: chart.datasets.length > 1 || round },
          tooltip: {
            rtl: true,
            callbacks: {
              label: function (item) {
                var value = item.parsed.y !== undefined ? item.parsed.y : item.parsed;
                return item.dataset.label + ": " + digits.format(value);
              }
            }
          }
        },
        scales: round ? {} : {
          x: { reverse: true, stacked: !!chart.stacked },
          y: {
            stacked: !!chart.stacked,
            beginAtZero: true,
            position: "right",
            ticks: { precision: 0, callback: function (value) { return digits.format(value); } }
          }
        }
      }
    });
  });
})();
