import * as d3 from 'd3';
import { useEffect, useRef } from 'react';

export interface SeriesLine {
  label: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  /** A companion figure of the same strategy (thin dotted line). */
  dotted?: boolean;
}

export interface TimeSeriesProps {
  title: string;
  lines: SeriesLine[];
  /** Fixed y range (e.g. [0, 1] for fractions); otherwise from the data. */
  yDomain?: [number, number];
  yFormat?: (v: number) => string;
  testId?: string;
}

const W = 380;
const H = 190;
const M = { top: 10, right: 12, bottom: 26, left: 46 };

/** A small d3 line chart (SVG: a few lines of a few hundred points), time in simulated seconds. */
export function TimeSeries({ title, lines, yDomain, yFormat, testId }: TimeSeriesProps) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const svg = d3.select(ref.current);
    svg.selectAll('*').remove();
    const all = lines.flatMap((l) => l.points);
    const xMax = d3.max(all, (p) => p[0]) ?? 1;
    const yExtent = yDomain ?? [0, Math.max(1e-9, d3.max(all, (p) => p[1]) ?? 1)];
    const x = d3.scaleLinear().domain([0, Math.max(1, xMax)]).range([M.left, W - M.right]);
    const y = d3.scaleLinear().domain(yExtent).nice().range([H - M.bottom, M.top]);
    svg
      .append('g')
      .attr('transform', `translate(0,${H - M.bottom})`)
      .call(d3.axisBottom(x).ticks(6).tickFormat((v) => `${v}s`));
    svg
      .append('g')
      .attr('transform', `translate(${M.left},0)`)
      .call(
        d3
          .axisLeft(y)
          .ticks(5)
          .tickFormat((v) => (yFormat ? yFormat(Number(v)) : d3.format('~s')(Number(v)))),
      );
    svg.selectAll('.domain, .tick line').attr('stroke', '#475569');
    svg.selectAll('.tick text').attr('fill', '#94a3b8');
    const line = d3
      .line<[number, number]>()
      .defined((p) => Number.isFinite(p[1]))
      .x((p) => x(p[0]))
      .y((p) => y(p[1]));
    for (const l of lines) {
      svg
        .append('path')
        .datum(l.points)
        .attr('fill', 'none')
        .attr('stroke', l.color)
        .attr('stroke-width', l.dotted ? 1.4 : 1.8)
        .attr('stroke-dasharray', l.dotted ? '1.5 3' : l.dashed ? '5 3' : null)
        .attr('d', line);
    }
  }, [lines, yDomain, yFormat]);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        {title}
        <span className="legend">
          {lines.map((l) => (
            <span key={l.label} style={{ color: l.color }}>
              {l.dotted ? '⋯ ' : l.dashed ? '┄ ' : '— '}
              {l.label}
            </span>
          ))}
        </span>
      </figcaption>
      <svg ref={ref} viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="xMidYMid meet" />
    </figure>
  );
}
