// The page of `tcpharness report`: draws the figures html_report.cpp put in #report-data with
// Chart.js. Every canvas records how many series and points it drew (data-series, data-points)
// and the body whether the page finished (data-ready) and how many script errors it met
// (data-errors), so a headless browser's test can tell a drawn chart from an empty one.
"use strict";
(function () {
  const body = document.body;
  window.addEventListener("error", function () {
    body.dataset.errors = String(Number(body.dataset.errors) + 1);
  });

  const data = JSON.parse(document.getElementById("report-data").textContent);
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
  const colorOf = (report) => palette[report % palette.length];
  const labelOf = (report) => data.reports[report].label;
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 12;

  function element(tag, text, className) {
    const made = document.createElement(tag);
    if (text !== undefined && text !== null) made.textContent = String(text);
    if (className) made.className = className;
    return made;
  }

  function table(headers, rows) {
    const made = element("table");
    const head = made.insertRow();
    for (const header of headers) head.appendChild(element("th", header));
    for (const row of rows) {
      const line = made.insertRow();
      row.forEach(function (cell, index) {
        const td = line.insertCell();
        if (cell instanceof Node) td.appendChild(cell);
        else td.textContent = cell === null || cell === undefined ? "-" : String(cell);
        if (index === 0 || typeof cell === "string") td.className = "text";
      });
    }
    return made;
  }

  function reportCell(report) {
    const cell = element("span");
    const swatch = element("span", null, "swatch");
    swatch.style.background = colorOf(report);
    cell.appendChild(swatch);
    cell.appendChild(document.createTextNode(labelOf(report)));
    return cell;
  }

  const fixed = (value, digits) => (value === null || value === undefined ? null : Number(value).toFixed(digits));
  const latency = (us) => {
    if (us === null || us === undefined) return null;
    if (us >= 1e6) return (us / 1e6).toFixed(2) + " s";
    if (us >= 1e3) return (us / 1e3).toFixed(2) + " ms";
    return Number(us).toFixed(0) + " us";
  };

  let charts = 0;
  function chartIn(container, caption, config, note) {
    const figure = element("figure");
    figure.appendChild(element("figcaption", caption));
    const holder = element("div");
    holder.style.height = "300px";
    holder.style.position = "relative";
    const canvas = element("canvas");
    holder.appendChild(canvas);
    figure.appendChild(holder);
    if (note) figure.appendChild(element("p", note, "verdict"));
    container.appendChild(figure);
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options);
    const chart = new Chart(canvas, config);
    canvas.dataset.series = String(chart.data.datasets.length);
    canvas.dataset.points = String(chart.data.datasets.reduce((sum, set) => sum + set.data.length, 0));
    charts += 1;
    return chart;
  }

  function emptyNote(container, text) {
    container.appendChild(element("p", text, "empty"));
  }

  // Where each report came from.
  document.getElementById("sources").appendChild(
    table(["report", "scenario", "started", "tcpharness", "host"],
      data.reports.map((source, index) => [reportCell(index), source.scenario, source.started_at,
        source.version, source.host])));

  document.getElementById("summary").appendChild(
    table(["report", "run", "reps", "req/s", "p50", "p99", "p99.9", "errors", "cpu us/req"],
      data.summary.map((run) => [reportCell(run.report), run.run, run.repetitions,
        fixed(run.requests_per_s, 1), latency(run.p50_us), latency(run.p99_us),
        latency(run.p999_us), run.errors, fixed(run.cpu_us_per_request, 1)])));

  // The spectrum's x axis counts nines: 1 is p90, 2 is p99, 3 is p99.9.
  const ninesLabel = (value) => {
    if (value === 0) return "p0";
    if (!Number.isInteger(value)) return "";
    return "p" + (100 - Math.pow(10, 2 - value)).toFixed(Math.max(0, value - 2));
  };
  const spectra = document.getElementById("spectra");
  for (const chart of data.spectra) {
    chartIn(spectra, chart.name, {
      type: "scatter",
      data: {
        datasets: chart.series.map((series) => ({
          label: labelOf(series.report),
          data: series.points.filter((point) => point[1] > 0).map((point) => ({ x: point[0], y: point[1] })),
          showLine: true, pointRadius: 0, borderWidth: 2,
          borderColor: colorOf(series.report), backgroundColor: colorOf(series.report),
        })),
      },
      options: {
        scales: {
          x: { type: "linear", min: 0, ticks: { stepSize: 1, callback: ninesLabel },
            title: { display: true, text: "percentile" } },
          y: { type: "logarithmic", title: { display: true, text: "latency (us)" } },
        },
      },
    });
  }
  if (data.spectra.length === 0) emptyNote(spectra, "No run recorded request latency.");

  const timelines = document.getElementById("timelines");
  for (const chart of data.timelines) {
    const datasets = [];
    for (const series of chart.series) {
      datasets.push({
        label: labelOf(series.report) + " req/s", yAxisID: "rate",
        data: series.points.filter((point) => point[1] !== null).map((point) => ({ x: point[0], y: point[1] })),
        showLine: true, pointRadius: 2, borderColor: colorOf(series.report), backgroundColor: colorOf(series.report),
      });
      datasets.push({
        label: labelOf(series.report) + " p99", yAxisID: "latency", borderDash: [6, 4],
        data: series.points.filter((point) => point[2] > 0).map((point) => ({ x: point[0], y: point[2] })),
        showLine: true, pointRadius: 0, borderColor: colorOf(series.report), backgroundColor: colorOf(series.report),
      });
    }
    chartIn(timelines, chart.name, {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        scales: {
          x: { type: "linear", title: { display: true, text: "second of the run" } },
          rate: { type: "linear", position: "left", beginAtZero: true, title: { display: true, text: "requests/s" } },
          latency: { type: "logarithmic", position: "right", grid: { drawOnChartArea: false },
            title: { display: true, text: "p99 (us), dashed" } },
        },
      },
    });
  }
  if (data.timelines.length === 0) emptyNote(timelines, "No run has a timeline.");

  // The capacity curve: the SLO's value against the offered rate, the limit as a dashed line,
  // the capacity found and the knee as marked points.
  const capacity = document.getElementById("capacity");
  for (const chart of data.capacity) {
    const datasets = [];
    let lowest = Infinity;
    let highest = 0;
    const notes = [];
    for (const series of chart.series) {
      const points = series.points.filter((point) => point[1] > 0).map((point) => ({ x: point[0], y: point[1] }));
      for (const point of points) {
        lowest = Math.min(lowest, point.x);
        highest = Math.max(highest, point.x);
      }
      const valueAt = (rate) => {
        const found = points.find((point) => point.x === rate);
        return found ? found.y : null;
      };
      datasets.push({
        label: labelOf(series.report), data: points, showLine: true, pointRadius: 3,
        borderColor: colorOf(series.report), backgroundColor: colorOf(series.report),
      });
      if (series.rate_per_s !== null && valueAt(series.rate_per_s) !== null) {
        datasets.push({
          label: labelOf(series.report) + " capacity", pointStyle: "rectRot", pointRadius: 9,
          data: [{ x: series.rate_per_s, y: valueAt(series.rate_per_s) }],
          borderColor: colorOf(series.report), backgroundColor: "rgba(0,0,0,0)", borderWidth: 2,
        });
      }
      if (series.knee_per_s !== null && valueAt(series.knee_per_s) !== null) {
        datasets.push({
          label: labelOf(series.report) + " knee", pointStyle: "triangle", pointRadius: 9,
          data: [{ x: series.knee_per_s, y: valueAt(series.knee_per_s) }],
          borderColor: colorOf(series.report), backgroundColor: colorOf(series.report),
        });
      }
      notes.push(labelOf(series.report) + ": " + series.sentence);
    }
    if (chart.limit_us !== null && highest > 0) {
      datasets.push({
        label: "SLO " + chart.slo, borderDash: [8, 5], pointRadius: 0, showLine: true,
        borderColor: "#444", backgroundColor: "#444",
        data: [{ x: lowest, y: chart.limit_us }, { x: highest, y: chart.limit_us }],
      });
    }
    chartIn(capacity, chart.name + " under " + chart.slo, {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        scales: {
          x: { type: "linear", title: { display: true, text: "offered rate (requests/s)" } },
          y: { type: "logarithmic", title: { display: true, text: chart.metric + " (us)" } },
        },
      },
    }, notes.join("\n"));
  }
  if (data.capacity.length === 0) emptyNote(capacity, "No capacity search in these reports (tcpharness capacity makes one).");

  const sockets = document.getElementById("sockets");
  for (const run of data.sockets) {
    const heading = element("p");
    heading.appendChild(reportCell(run.report));
    heading.appendChild(document.createTextNode(" " + run.run));
    sockets.appendChild(heading);
    const show = (value) => (value === null ? "kernel default" : typeof value === "object" ? JSON.stringify(value) : value);
    sockets.appendChild(table(["side", "option", "requested", "applied"],
      run.options.map((option) => [option[0], option[1], String(show(option[2])), String(show(option[3]))])));
  }
  if (data.sockets.length === 0) emptyNote(sockets, "No socket options recorded.");

  body.dataset.charts = String(charts);
  body.dataset.ready = "true";
})();
