/* Relief Coach diary: draws the two charts with uPlot (static/vendor/uplot) from the data the page
 * carries in <section id="chart" data-chart-json="...">, and shows a Print button on the report.
 * Without this script the page still has the same numbers as a table. ES2019, no dependencies but uPlot.
 */
(function () {
  'use strict';

  const DAY = 86400;

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function isoToSeconds(iso) {
    // A local calendar date as "wall-clock seconds": the server sends times the same way.
    const parts = iso.split('-').map(Number);
    return Date.UTC(parts[0], parts[1] - 1, parts[2]) / 1000;
  }

  function baseOptions(width, height, colors) {
    const axis = {
      stroke: colors.text,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1 },
      font: '12px system-ui, sans-serif',
    };
    return {
      width: width,
      height: height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      // The server sends wall-clock seconds of the user's own zone: read them as UTC, never the phone's zone.
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      axes: [
        Object.assign({}, axis, { space: 60 }),
        Object.assign({}, axis, { size: 36 }),
      ],
    };
  }

  function severityChart(target, data, width, colors) {
    const xs = data.severity.map(function (p) { return p[0]; });
    const ys = data.severity.map(function (p) { return p[1]; });
    const opts = baseOptions(width, 180, colors);
    opts.scales = {
      x: { time: true, range: [isoToSeconds(data.start), isoToSeconds(data.end) + DAY] },
      y: { range: [0, 10] },
    };
    opts.axes[1].incrs = [1, 2, 5];
    opts.series = [
      {},
      {
        label: 'Severity',
        stroke: colors.accent,
        width: 0,
        paths: function () { return null; },
        points: { show: true, size: 11, width: 2, stroke: colors.accent, fill: colors.accent },
      },
    ];
    return new window.uPlot(opts, [xs, ys], target);
  }

  function weeksChart(target, data, width, colors) {
    const xs = data.weeks.map(function (w) { return isoToSeconds(w[0]) + 3.5 * DAY; });
    const ys = data.weeks.map(function (w) { return w[1]; });
    const most = Math.max.apply(null, ys.concat([1]));
    const opts = baseOptions(width, 150, colors);
    opts.scales = {
      x: { time: true, range: [isoToSeconds(data.weeks[0][0]), isoToSeconds(data.weeks[data.weeks.length - 1][0]) + 7 * DAY] },
      y: { range: [0, most] },
    };
    opts.axes[1].incrs = [1, 2, 5, 10, 20, 50];
    opts.series = [
      {},
      {
        label: 'Episodes',
        stroke: colors.accent,
        fill: colors.accent,
        width: 0,
        paths: window.uPlot.paths.bars({ size: [0.7, 48] }),
        points: { show: false },
      },
    ];
    return new window.uPlot(opts, [xs, ys], target);
  }

  function summary(data) {
    const severities = data.severity.map(function (p) { return p[1]; });
    const weeks = data.weeks.map(function (w) { return w[1]; });
    const episodes = typeof data.episodes === 'number' ? data.episodes : severities.length;
    let text = episodes + (episodes === 1 ? ' episode' : ' episodes') + ' from ' + data.start + ' to ' + data.end;
    if (severities.length) {
      text += ', severity from ' + Math.min.apply(null, severities) + ' to ' + Math.max.apply(null, severities) + ' out of 10';
      text += ', at most ' + Math.max.apply(null, weeks) + ' in one week';
    }
    return text + '. The table below has the numbers.';
  }

  function drawCharts() {
    const host = document.getElementById('chart');
    if (!host || !window.uPlot) return;
    let data;
    try { data = JSON.parse(host.getAttribute('data-chart-json')); } catch (err) { return; }
    if (!data || !Array.isArray(data.severity) || !Array.isArray(data.weeks) || !data.weeks.length) return;
    const colors = {
      accent: cssVar('--accent', '#17596e'),
      text: cssVar('--muted', '#4d5863'),
      grid: cssVar('--border', '#d3d9de'),
    };
    const label = summary(data);
    const plots = [];
    host.querySelectorAll('figure[data-chart]').forEach(function (figure) {
      const target = figure.querySelector('[data-chart-target]');
      const kind = figure.getAttribute('data-chart');
      if (kind === 'severity' && !data.severity.length) { figure.hidden = true; return; }
      target.setAttribute('role', 'img');
      target.setAttribute('aria-label', (kind === 'severity' ? 'Severity chart: ' : 'Episodes per week chart: ') + label);
      const width = Math.max(200, Math.floor(target.clientWidth || figure.clientWidth));
      plots.push({ target: target, plot: (kind === 'severity' ? severityChart : weeksChart)(target, data, width, colors) });
    });
    let pending = 0;
    window.addEventListener('resize', function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        plots.forEach(function (item) {
          const width = Math.max(200, Math.floor(item.target.clientWidth));
          item.plot.setSize({ width: width, height: item.plot.height });
        });
      }, 150);
    });
    host.classList.add('chart-drawn');
  }

  function enablePrint() {
    document.querySelectorAll('[data-print]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () { window.print(); });
    });
  }

  drawCharts();
  enablePrint();
})();
