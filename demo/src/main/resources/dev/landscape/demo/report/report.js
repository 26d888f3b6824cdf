/*
 * Draws the report's charts into SVG from the JSON in #report-data. No library and no network: axes with ticks,
 * one line per rank, a log scale where asked, a threshold line, and marker glyphs whose <title> is the hover text.
 * Text goes into the DOM only through textContent and setAttribute, never as markup.
 * When everything is drawn, <html data-render="ok">; an error anywhere leaves data-render="error" (see the
 * error capture in <head>).
 */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  // Okabe-Ito, colour-blind safe, without its yellow (unreadable on white).
  var PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#7a5195', '#000000'];
  var SEVERITY = { critical: '#b71c1c', warning: '#b26a00', info: '#546e7a' };
  var KIND_TEXT = { OOMKilled: 'OOM killed', Restart: 'Restart', Finding: 'Finding', FaultInjected: 'Fault injected' };
  var WIDTH = 600, PLOT_HEIGHT = 200, LEFT = 64, RIGHT = 84, BOTTOM = 40, ROW = 14;

  var data = JSON.parse(document.getElementById('report-data').textContent);

  function svg(name, attrs, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function label(parent, x, y, content, attrs) {
    var node = svg('text', Object.assign({ x: x, y: y }, attrs || {}), parent);
    node.textContent = content;
    return node;
  }

  function title(parent, content) {
    svg('title', {}, parent).textContent = content;
  }

  function rankColour(rank) {
    var n = PALETTE.length;
    return PALETTE[((rank % n) + n) % n];
  }

  /** 1, 2 or 5 times a power of ten, near span / count. */
  function niceStep(span, count) {
    var raw = span / count;
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / magnitude;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
  }

  function ticksBetween(lo, hi, step) {
    var out = [];
    var first = Math.ceil(lo / step - 1e-9);
    for (var i = first; i * step <= hi + step * 1e-9; i++) {
      out.push(Number((i * step).toPrecision(12)));
    }
    return out;
  }

  function format(v) {
    if (v === 0) { return '0'; }
    var a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) {
      return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
    }
    return String(Number(v.toPrecision(4)));
  }

  function usable(value, log) {
    return value !== null && isFinite(value) && (!log || value > 0);
  }

  /** The y axis: domain, ticks and the value-to-pixel map, linear or log10. */
  function yAxis(values, log, top) {
    var bottom = top + PLOT_HEIGHT;
    var lo = Infinity, hi = -Infinity, ticks, toUnit;
    values.forEach(function (v) { lo = Math.min(lo, v); hi = Math.max(hi, v); });
    if (log) {
      lo = Math.log10(lo); hi = Math.log10(hi);
      if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
      var pad = (hi - lo) * 0.05;
      lo -= pad; hi += pad;
      ticks = [];
      for (var k = Math.ceil(lo); k <= Math.floor(hi); k++) { ticks.push(Math.pow(10, k)); }
      if (ticks.length > 8) {
        var every = Math.ceil(ticks.length / 8);
        ticks = ticks.filter(function (t, i) { return i % every === 0; });
      }
      // Under three decades, label 1-2-5 (then every digit) so the axis is still readable.
      [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]].forEach(function (mantissas) {
        if (ticks.length >= 3) { return; }
        ticks = [];
        for (var e = Math.floor(lo); e <= Math.ceil(hi); e++) {
          mantissas.forEach(function (m) {
            var t = m * Math.pow(10, e), l = Math.log10(t);
            if (l >= lo && l <= hi) { ticks.push(Number(t.toPrecision(12))); }
          });
        }
      });
      if (ticks.length < 2) {
        var vlo = Math.pow(10, lo), vhi = Math.pow(10, hi);
        ticks = ticksBetween(vlo, vhi, niceStep(vhi - vlo, 4)).filter(function (t) { return t > 0; });
      }
      toUnit = function (v) { return (Math.log10(v) - lo) / (hi - lo); };
    } else {
      if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
        var half = Math.abs(hi) * 0.1 || 1;
        lo -= half; hi += half;
      } else {
        var margin = (hi - lo) * 0.05;
        lo = (lo >= 0 && lo - margin < 0) ? 0 : lo - margin;
        hi += margin;
      }
      var step = niceStep(hi - lo, 5);
      lo = Math.floor(lo / step) * step;
      hi = Math.ceil(hi / step) * step;
      ticks = ticksBetween(lo, hi, step);
      toUnit = function (v) { return (v - lo) / (hi - lo); };
    }
    return { ticks: ticks, y: function (v) { return bottom - toUnit(v) * PLOT_HEIGHT; } };
  }

  /** Greedy rows above the plot so marker glyphs at nearby steps do not cover each other. */
  function layoutMarkers(markers, x) {
    var rows = [];
    return {
      placed: markers.slice().sort(function (a, b) { return a.step - b.step || a.rank - b.rank; }).map(function (m) {
        var px = x(m.step), row = 0;
        while (rows[row] !== undefined && px - rows[row] < 12) { row++; }
        rows[row] = px;
        return { marker: m, x: px, row: row };
      }),
      rows: Math.max(1, rows.length)
    };
  }

  function glyph(parent, m, x, y) {
    var colour = rankColour(m.rank);
    svg('circle', { cx: x, cy: y, r: 7, fill: 'transparent' }, parent);
    if (m.kind === 'OOMKilled') {
      svg('path', { d: 'M' + (x - 6) + ' ' + (y - 5) + 'H' + (x + 6) + 'L' + x + ' ' + (y + 6) + 'Z',
        fill: colour, stroke: '#1f2328', 'stroke-width': 1.2 }, parent);
    } else if (m.kind === 'Restart') {
      svg('circle', { cx: x, cy: y, r: 4.5, fill: '#fff', stroke: colour, 'stroke-width': 2.5 }, parent);
    } else if (m.kind === 'Finding') {
      svg('path', { d: 'M' + x + ' ' + (y - 6) + 'L' + (x + 6) + ' ' + y + 'L' + x + ' ' + (y + 6) + 'L' + (x - 6)
        + ' ' + y + 'Z', fill: colour, stroke: SEVERITY[m.severity] || '#1f2328', 'stroke-width': 2 }, parent);
    } else {
      svg('path', { d: 'M' + (x - 5) + ' ' + (y - 5) + 'L' + (x + 5) + ' ' + (y + 5) + 'M' + (x + 5) + ' ' + (y - 5)
        + 'L' + (x - 5) + ' ' + (y + 5), stroke: colour, 'stroke-width': 3, 'stroke-linecap': 'round' }, parent);
    }
  }

  function markerText(m) {
    var what = m.kind === 'Finding' ? 'Finding ' + m.reason + ' (' + m.severity + ')'
      : m.kind === 'FaultInjected' ? 'Fault injected: ' + m.label : KIND_TEXT[m.kind] || m.kind;
    return what + ' on rank ' + m.rank + ' at step ' + m.step + (m.detail ? ': ' + m.detail : '');
  }

  /** One step range for every chart, so charts stacked on the page line up step for step. */
  function stepRange(metrics, markers) {
    var lo = Infinity, hi = -Infinity;
    function see(step) { lo = Math.min(lo, step); hi = Math.max(hi, step); }
    metrics.forEach(function (m) { m.ranks.forEach(function (r) { r.points.forEach(function (p) { see(p[0]); }); }); });
    markers.forEach(function (m) { see(m.step); });
    if (lo === Infinity) { return [0, 1]; }
    return hi === lo ? [lo - 1, hi + 1] : [lo, hi];
  }

  function chart(metric, markers, steps) {
    var log = metric.scale === 'log';
    var figure = document.createElement('figure');
    figure.className = 'chart';
    figure.setAttribute('data-metric', metric.name);
    figure.setAttribute('data-lines', metric.lines || 'rank');
    var caption = document.createElement('figcaption');
    caption.textContent = metric.name + (metric.unit ? ' (' + metric.unit + ')' : '') + (log ? ', log scale' : '');
    figure.appendChild(caption);

    var values = [];
    metric.ranks.forEach(function (r) {
      r.points.forEach(function (p) {
        if (usable(p[1], log)) { values.push(p[1]); }
      });
    });
    if (metric.threshold) { values.push(metric.threshold.value); }

    var xlo = steps[0], xhi = steps[1];
    var plotRight = WIDTH - RIGHT;
    var x = function (step) { return LEFT + (step - xlo) / (xhi - xlo) * (plotRight - LEFT); };
    var lanes = layoutMarkers(markers, x);
    var top = 6 + lanes.rows * ROW + 6;
    var height = top + PLOT_HEIGHT + BOTTOM;
    var root = svg('svg', { width: WIDTH, height: height, viewBox: '0 0 ' + WIDTH + ' ' + height,
      role: 'img', 'aria-label': caption.textContent });
    figure.appendChild(root);

    if (!values.length) {
      figure.setAttribute('data-empty', 'true');
      label(root, LEFT, top + PLOT_HEIGHT / 2, 'no data points for ' + metric.name, { 'class': 'no-data' });
      return figure;
    }
    var axis = yAxis(values, log, top);
    var bottom = top + PLOT_HEIGHT;

    var yAxisGroup = svg('g', { 'class': 'axis axis-y' }, root);
    axis.ticks.forEach(function (t) {
      var y = axis.y(t);
      var tick = svg('g', { 'class': 'tick tick-y', 'data-value': t }, yAxisGroup);
      svg('line', { x1: LEFT, x2: plotRight, y1: y, y2: y, 'class': 'grid' }, tick);
      svg('line', { x1: LEFT - 5, x2: LEFT, y1: y, y2: y }, tick);
      label(tick, LEFT - 8, y + 4, format(t), { 'text-anchor': 'end' });
    });
    svg('line', { x1: LEFT, x2: LEFT, y1: top, y2: bottom }, yAxisGroup);
    label(yAxisGroup, 14, top + PLOT_HEIGHT / 2, metric.unit || metric.name,
      { 'text-anchor': 'middle', transform: 'rotate(-90 14 ' + (top + PLOT_HEIGHT / 2) + ')', 'class': 'axis-label' });

    var xAxisGroup = svg('g', { 'class': 'axis axis-x' }, root);
    var xStep = Math.max(1, niceStep(xhi - xlo, 8));
    ticksBetween(xlo, xhi, xStep).forEach(function (t) {
      var px = x(t);
      var tick = svg('g', { 'class': 'tick tick-x', 'data-value': t }, xAxisGroup);
      svg('line', { x1: px, x2: px, y1: bottom, y2: bottom + 5 }, tick);
      label(tick, px, bottom + 18, String(Math.round(t)), { 'text-anchor': 'middle' });
    });
    svg('line', { x1: LEFT, x2: plotRight, y1: bottom, y2: bottom }, xAxisGroup);
    label(xAxisGroup, (LEFT + plotRight) / 2, bottom + 34, 'step', { 'text-anchor': 'middle', 'class': 'axis-label' });

    if (metric.threshold) {
      var ty = axis.y(metric.threshold.value);
      svg('line', { x1: LEFT, x2: plotRight, y1: ty, y2: ty, 'class': 'threshold',
        'data-value': metric.threshold.value }, root);
      label(root, plotRight - 4, ty - 4, metric.threshold.label, { 'text-anchor': 'end', 'class': 'threshold-label' });
    }

    var rules = svg('g', { 'class': 'rules' }, root);
    lanes.placed.forEach(function (p) {
      if (p.marker.kind !== 'Finding') {
        svg('line', { x1: p.x, x2: p.x, y1: top, y2: bottom, stroke: rankColour(p.marker.rank), 'class': 'rule' }, rules);
      }
    });

    var lines = svg('g', { 'class': 'lines' }, root);
    var noun = metric.lines || 'rank';
    metric.ranks.forEach(function (r) {
      var colour = rankColour(r.rank), d = '', pen = 'M', drawn = 0;
      var group = svg('g', { 'class': 'rank', 'data-rank': r.rank }, lines);
      var dots = svg('g', { 'class': 'points' }, group);
      r.points.forEach(function (p) {
        if (!usable(p[1], log)) { pen = 'M'; return; }
        var px = x(p[0]), py = axis.y(p[1]);
        d += pen + px.toFixed(1) + ' ' + py.toFixed(1);
        pen = 'L';
        drawn++;
        if (r.points.length <= 400) {
          var dot = svg('circle', { cx: px, cy: py, r: 3, fill: colour, 'class': 'pt' }, dots);
          title(dot, noun + ' ' + r.rank + ', step ' + p[0] + ': ' + format(p[1]));
        }
      });
      var path = svg('path', { d: d, stroke: colour, 'class': 'series', 'data-rank': r.rank, 'data-points': drawn },
        group);
      title(path, noun + ' ' + r.rank);
      group.insertBefore(path, dots);
    });

    var legend = svg('g', { 'class': 'legend' }, root);
    var spacing = Math.min(16, (PLOT_HEIGHT - 8) / Math.max(1, metric.ranks.length));
    metric.ranks.forEach(function (r, i) {
      var y = top + 8 + i * spacing;
      var item = svg('g', { 'class': 'legend-item', 'data-rank': r.rank }, legend);
      svg('line', { x1: plotRight + 12, x2: plotRight + 30, y1: y, y2: y, stroke: rankColour(r.rank),
        'stroke-width': 3 }, item);
      label(item, plotRight + 35, y + 4, noun + ' ' + r.rank);
    });

    var glyphs = svg('g', { 'class': 'markers' }, root);
    lanes.placed.forEach(function (p) {
      var m = p.marker;
      var g = svg('g', { 'class': 'marker', 'data-kind': m.kind, 'data-rank': m.rank, 'data-step': m.step }, glyphs);
      title(g, markerText(m));
      glyph(g, m, p.x, 6 + p.row * ROW + ROW / 2);
    });
    return figure;
  }

  function markerKey(parent) {
    [{ kind: 'OOMKilled', rank: 0, step: 0 }, { kind: 'Restart', rank: 0, step: 0 },
      { kind: 'Finding', severity: 'critical', rank: 0, step: 0 }, { kind: 'FaultInjected', rank: 0, step: 0 }]
      .forEach(function (m) {
        var item = document.createElement('span');
        var icon = svg('svg', { width: 16, height: 16, viewBox: '0 0 16 16' }, item);
        glyph(icon, m, 8, 8);
        item.appendChild(document.createTextNode(KIND_TEXT[m.kind]));
        parent.appendChild(item);
      });
    var note = document.createElement('span');
    note.textContent = 'glyph colour = rank; finding outline = severity; hover a glyph or point for details';
    parent.appendChild(note);
  }

  function watchImages() {
    Array.prototype.forEach.call(document.querySelectorAll('img.report-image'), function (img) {
      function settle() {
        img.setAttribute('data-loaded', img.naturalWidth > 0 ? 'true' : 'false');
        img.setAttribute('data-natural-width', String(img.naturalWidth));
      }
      if (img.complete) {
        settle();
      } else {
        img.addEventListener('load', settle);
        img.addEventListener('error', settle);
      }
    });
  }

  watchImages();
  markerKey(document.getElementById('marker-key'));
  var chartsRoot = document.getElementById('charts-root');
  var steps = stepRange(data.metrics, data.markers);
  data.metrics.forEach(function (metric) {
    chartsRoot.appendChild(chart(metric, data.markers, steps));
  });
  // Where each chart landed, in page pixels: lets a screenshot be checked region by region.
  Array.prototype.forEach.call(chartsRoot.querySelectorAll('figure.chart svg'), function (node) {
    var box = node.getBoundingClientRect();
    node.setAttribute('data-box', [box.left + window.scrollX, box.top + window.scrollY, box.width, box.height]
      .map(Math.round).join(','));
  });
  if (document.documentElement.getAttribute('data-render') !== 'error') {
    document.documentElement.setAttribute('data-render', 'ok');
  }
}());
