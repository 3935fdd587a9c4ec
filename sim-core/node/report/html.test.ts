import { describe, expect, it } from 'vitest';
import { syntheticCompare } from './fixture.ts';
import { reportData } from './data.ts';
import { buildReportHtml, d3Bundle, inlineJson, inlineScript } from './html.ts';

describe('report.html builder', () => {
  it('inlined JSON and scripts cannot close their <script> element', () => {
    const tricky = { s: '</script><script>alert(1)</script><!-- \u2028' };
    const json = inlineJson(tricky);
    expect(json).not.toMatch(/<\/script|<!--/i);
    expect(JSON.parse(json)).toEqual(tricky);
    expect(inlineScript('var a = "</SCRIPT>"; // <!--')).toBe('var a = "<\\/SCRIPT>"; // <\\!--');
  });

  it('is one self-contained file: d3, the plotting script and the data inline, nothing fetched', () => {
    const c = syntheticCompare();
    const html = buildReportHtml(c);
    expect(html).toContain(inlineScript(d3Bundle()).slice(0, 2000));
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html).not.toMatch(/<script[^>]*\bsrc=|<link\b|<img\b|@import|url\(/i);
    const m = /<script type="application\/json" id="peermap-data">(.*?)<\/script>/s.exec(html);
    expect(JSON.parse(m?.[1] ?? 'null')).toEqual(JSON.parse(JSON.stringify(reportData(c))));
    for (const id of ['coverage', 'messages', 'lcc', 'degree', 'paths']) expect(html).toContain(`id="plot-${id}"`);
  });

  it('plot data: rates from cumulative messages, histograms as fractions, null when absent', () => {
    const d = reportData(syntheticCompare(['a', 'b'], [1, 2], ['b']));
    const byId = Object.fromEntries(d.plots.map((p) => [p.id, p]));
    const msgs = byId.messages;
    if (msgs.kind !== 'line') throw new Error('messages is a line plot');
    expect(msgs.series.a[0].tS).toBe(10);
    expect(msgs.series.b.length).toBe(30);
    const cov = byId.coverage;
    if (cov.kind !== 'line') throw new Error('coverage is a line plot');
    expect(cov.series.b).toEqual([]);
    const deg = byId.degree;
    if (deg.kind !== 'bars') throw new Error('degree is a bar plot');
    expect(deg.bins.b).toBeNull();
    expect(deg.bins.a?.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    expect(d.summary.header).toEqual(['metric', 'a', 'b']);
  });
});
