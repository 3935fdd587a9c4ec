import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompareResult } from '../compare/compare.ts';
import { reportData, type ReportData } from './data.ts';

/**
 * report.html: one self-contained file — d3's UMD bundle, the plotting
 * script and the data are inlined, so it opens from disk (file://) or an
 * e-mail attachment with no network access.
 */

let d3Cache: string | undefined;
let plotsCache: string | undefined;

/**
 * d3's minified UMD bundle (defines the global `d3`). d3's package exports
 * do not expose dist/, so look for node_modules/d3 from here upwards, as
 * Node's own resolution would.
 */
export function d3BundlePath(from = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'd3', 'dist', 'd3.min.js');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`d3 not found: no node_modules/d3/dist/d3.min.js above ${from} (run npm ci)`);
  }
}

export function d3Bundle(): string {
  d3Cache ??= readFileSync(d3BundlePath(), 'utf8');
  return d3Cache;
}

/** The browser-side plotting script (plain JS, runs after d3). */
export function plotsScript(): string {
  plotsCache ??= readFileSync(new URL('./plots.js', import.meta.url), 'utf8');
  return plotsCache;
}

/** Script text safe inside <script>: a literal `</script` or `<!--` would end or confuse the element. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON safe inside <script type="application/json">: `<` only occurs in strings, where \u003c reads the same. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const STYLE = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.subtitle { color: #666; margin: 0 0 16px; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px; }
.plot { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
.plot h3 { font-size: 15px; margin: 4px 0; }
.plot .nodata { fill: #999; font-style: italic; }
.plot .legend text { font-size: 12px; }
.axis-label { font-size: 12px; fill: #444; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
td.missing { color: #aaa; }
`;

/** The page for a ReportData; exposed separately so tests can render synthetic data. */
export function reportHtmlFromData(data: ReportData): string {
  const plotDivs = data.plots
    .map((p) => `<div class="plot" id="plot-${escapeHtml(p.id)}"><h3>${escapeHtml(p.title)}</h3></div>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<p class="subtitle">${escapeHtml(data.subtitle)}</p>
<h2>Key metrics (mean ± 95% CI over seeds)</h2>
<table id="summary"></table>
<h2>Plots</h2>
<div class="plots">
${plotDivs}
</div>
<h2>Runs</h2>
<table id="runs"></table>
<script type="application/json" id="peermap-data">${inlineJson(data)}</script>
<script>${inlineScript(d3Bundle())}</script>
<script>${inlineScript(plotsScript())}</script>
</body>
</html>
`;
}

export function buildReportHtml(c: CompareResult): string {
  return reportHtmlFromData(reportData(c));
}
