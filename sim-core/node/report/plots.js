// Browser-side script of report.html (plain JS, inlined after d3's UMD bundle).
// Draws the plots and tables from the JSON in #peermap-data. It has no
// imports and makes no requests, so the page works from file://.
(function () {
  'use strict';
  /* global d3 */
  var data = JSON.parse(document.getElementById('peermap-data').textContent);
  var W = 560;
  var H = 320;
  var M = { top: 12, right: 16, bottom: 64, left: 64 };
  var color = function (s) {
    var i = data.strategies.indexOf(s);
    return d3.schemeTableau10[(i < 0 ? 0 : i) % 10];
  };
  var fmt = function (x) {
    return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? d3.format('.3~s')(x) : d3.format('.4~r')(x);
  };

  function table(el, t) {
    var sel = d3.select(el);
    sel.append('thead').append('tr').selectAll('th').data(t.header).join('th').text(function (d) { return d; });
    var rows = sel.append('tbody').selectAll('tr').data(t.rows).join('tr');
    rows.append('td').text(function (r) { return r.label; });
    rows.each(function (r) {
      var tr = d3.select(this);
      r.cells.forEach(function (c) {
        var td = tr.append('td');
        if (c) td.text(c.text).attr('title', c.title || null);
        else td.text('—').attr('class', 'missing');
      });
    });
  }

  function frame(div, p) {
    var svg = div.append('svg').attr('viewBox', '0 0 ' + W + ' ' + H).attr('width', '100%').attr('role', 'img').attr('aria-label', p.title);
    var g = svg.append('g').attr('transform', 'translate(' + M.left + ',' + M.top + ')');
    var w = W - M.left - M.right;
    var h = H - M.top - M.bottom;
    svg.append('text').attr('class', 'axis-label').attr('x', M.left + w / 2).attr('y', H - 30).attr('text-anchor', 'middle').text(p.xLabel);
    svg.append('text').attr('class', 'axis-label').attr('transform', 'rotate(-90)').attr('x', -(M.top + h / 2)).attr('y', 14).attr('text-anchor', 'middle').text(p.yLabel);
    return { svg: svg, g: g, w: w, h: h };
  }

  function noData(f, div) {
    f.g.append('text').attr('class', 'nodata').attr('x', f.w / 2).attr('y', f.h / 2).attr('text-anchor', 'middle').text('no data');
    div.attr('data-status', 'empty');
  }

  // Legend under the x-axis label; strategies lacking the data say so.
  function legend(f, has) {
    var lg = f.svg.append('g').attr('class', 'legend').attr('transform', 'translate(' + M.left + ',' + (H - 12) + ')');
    var x = 0;
    data.strategies.forEach(function (s) {
      var item = lg.append('g').attr('transform', 'translate(' + x + ',0)').attr('data-strategy', s);
      item.append('rect').attr('class', 'swatch').attr('width', 12).attr('height', 12).attr('y', -10).attr('fill', has[s] ? color(s) : '#ccc');
      var label = s + (has[s] ? '' : ' (no data)');
      item.append('text').attr('x', 16).attr('fill', has[s] ? '#222' : '#999').text(label);
      x += 28 + label.length * 7;
    });
  }

  function linePlot(div, p) {
    var f = frame(div, p);
    var has = {};
    var all = [];
    data.strategies.forEach(function (s) {
      var pts = p.series[s] || [];
      has[s] = pts.length > 0;
      all = all.concat(pts);
    });
    legend(f, has);
    if (all.length === 0) return noData(f, div);
    var x = d3.scaleLinear().domain(d3.extent(all, function (d) { return d.tS; })).range([0, f.w]);
    if (x.domain()[0] === x.domain()[1]) x.domain([x.domain()[0] - 1, x.domain()[1] + 1]);
    var y = d3.scaleLinear().domain([Math.min(0, d3.min(all, function (d) { return d.min; })), d3.max(all, function (d) { return d.max; }) || 1]).nice().range([f.h, 0]);
    f.g.append('g').attr('class', 'x-axis').attr('transform', 'translate(0,' + f.h + ')').call(d3.axisBottom(x).ticks(6));
    f.g.append('g').attr('class', 'y-axis').call(d3.axisLeft(y).ticks(6).tickFormat(fmt));
    data.strategies.forEach(function (s) {
      var pts = p.series[s] || [];
      if (pts.length === 0) return;
      var band = d3.area().x(function (d) { return x(d.tS); }).y0(function (d) { return y(d.min); }).y1(function (d) { return y(d.max); });
      f.g.append('path').datum(pts).attr('class', 'band').attr('data-strategy', s).attr('fill', color(s)).attr('fill-opacity', 0.15).attr('d', band);
      var line = d3.line().x(function (d) { return x(d.tS); }).y(function (d) { return y(d.mean); });
      f.g.append('path').datum(pts).attr('class', 'line').attr('data-strategy', s).attr('fill', 'none').attr('stroke', color(s)).attr('stroke-width', 2).attr('d', line);
      if (pts.length === 1) f.g.append('circle').attr('cx', x(pts[0].tS)).attr('cy', y(pts[0].mean)).attr('r', 3).attr('fill', color(s));
    });
    div.attr('data-status', 'ok');
  }

  function barPlot(div, p) {
    var f = frame(div, p);
    var has = {};
    var len = 0;
    data.strategies.forEach(function (s) {
      var b = p.bins[s];
      has[s] = !!(b && b.length > p.minBin);
      if (has[s]) len = Math.max(len, b.length);
    });
    legend(f, has);
    var present = data.strategies.filter(function (s) { return has[s]; });
    if (present.length === 0) return noData(f, div);
    var bins = d3.range(p.minBin, len);
    var x0 = d3.scaleBand().domain(bins).range([0, f.w]).paddingInner(0.15);
    var x1 = d3.scaleBand().domain(present).range([0, x0.bandwidth()]);
    var ymax = d3.max(present, function (s) { return d3.max(p.bins[s]); }) || 1;
    var y = d3.scaleLinear().domain([0, ymax]).nice().range([f.h, 0]);
    var every = Math.ceil(bins.length / 20);
    f.g.append('g').attr('class', 'x-axis').attr('transform', 'translate(0,' + f.h + ')')
      .call(d3.axisBottom(x0).tickValues(bins.filter(function (b, i) { return i % every === 0; })));
    f.g.append('g').attr('class', 'y-axis').call(d3.axisLeft(y).ticks(6).tickFormat(d3.format('.0%')));
    present.forEach(function (s) {
      var vals = bins.map(function (b) { return { bin: b, v: p.bins[s][b] || 0 }; });
      f.g.append('g').attr('data-strategy', s).selectAll('rect').data(vals).join('rect')
        .attr('class', 'bar').attr('fill', color(s))
        .attr('x', function (d) { return x0(d.bin) + x1(s); }).attr('width', Math.max(1, x1.bandwidth()))
        .attr('y', function (d) { return y(d.v); }).attr('height', function (d) { return f.h - y(d.v); })
        .append('title').text(function (d) { return s + ': ' + p.xLabel + ' ' + d.bin + ': ' + d3.format('.2%')(d.v); });
    });
    div.attr('data-status', 'ok');
  }

  table(document.getElementById('summary'), data.summary);
  table(document.getElementById('runs'), data.runs);
  data.plots.forEach(function (p) {
    var div = d3.select('#plot-' + p.id);
    try {
      if (p.kind === 'line') linePlot(div, p);
      else barPlot(div, p);
    } catch (e) {
      // One broken plot should not blank the others; the error still reaches the console.
      div.attr('data-status', 'error');
      console.error('plot ' + p.id + ' failed:', e);
    }
  });
  document.body.setAttribute('data-rendered', 'true');
})();
