import * as d3 from 'd3';
import { memo, useEffect, useRef, useState } from 'react';
import { decimate } from '../render/decimate.ts';

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
  /** The title's longer explanation (tooltip): the chart may be small. */
  detail?: string;
  lines: SeriesLine[];
  /** Fixed y range (e.g. [0, 1] for fractions); otherwise from the data. */
  yDomain?: [number, number];
  yFormat?: (v: number) => string;
  testId?: string;
}

const M = { top: 8, right: 10, bottom: 22, left: 40 };
/** Smallest drawing area, CSS px (before the box is measured, or when squeezed). */
const MIN_W = 120;
const MIN_H = 60;
/** Points kept per pixel column of the plot, at most (decimate keeps up to 4 per bucket). */
const PX_PER_BUCKET = 2;

/**
 * A small d3 line chart (SVG), time in simulated seconds, drawn at the size
 * its box has (the layout decides it: the charts shrink on a small screen
 * rather than push the topology off it). The axes and one path per line are
 * kept between updates and only their attributes change, and each line is
 * decimated to the plot's width: an hour of samples costs what a minute does.
 */
export const TimeSeries = memo(function TimeSeries({ title, detail, lines, yDomain, yFormat, testId }: TimeSeriesProps) {
  const ref = useRef<SVGSVGElement>(null);
  const [size, setSize] = useState({ w: 380, h: 160 });

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const r = el.getBoundingClientRect();
      const w = Math.max(MIN_W, Math.round(r.width));
      const h = Math.max(MIN_H, Math.round(r.height));
      setSize((s) => (s.w === w && s.h === h ? s : { w, h }));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const { w: W, h: H } = size;
    const svg = d3.select(ref.current);
    const group = (cls: string) => {
      const g = svg.select<SVGGElement>(`g.${cls}`);
      return g.empty() ? svg.append('g').attr('class', cls) : g;
    };
    const gx = group('x-axis');
    const gy = group('y-axis');
    const gl = group('lines');
    const all = lines.flatMap((l) => l.points);
    const xMax = d3.max(all, (p) => p[0]) ?? 1;
    const yExtent = yDomain ?? [0, Math.max(1e-9, d3.max(all, (p) => (Number.isFinite(p[1]) ? p[1] : 0)) ?? 1)];
    const x = d3.scaleLinear().domain([0, Math.max(1, xMax)]).range([M.left, W - M.right]);
    const y = d3.scaleLinear().domain(yExtent).nice().range([H - M.bottom, M.top]);
    gx.attr('transform', `translate(0,${H - M.bottom})`).call(
      d3
        .axisBottom(x)
        .ticks(Math.max(2, Math.floor((W - M.left - M.right) / 60)))
        .tickFormat((v) => `${v}s`),
    );
    gy.attr('transform', `translate(${M.left},0)`).call(
      d3
        .axisLeft(y)
        .ticks(Math.max(2, Math.min(5, Math.floor((H - M.top - M.bottom) / 24))))
        .tickFormat((v) => (yFormat ? yFormat(Number(v)) : d3.format('~s')(Number(v)))),
    );
    svg.selectAll('.domain, .tick line').attr('stroke', '#475569');
    svg.selectAll('.tick text').attr('fill', '#94a3b8');
    const line = d3
      .line<[number, number]>()
      .defined((p) => Number.isFinite(p[1]))
      .x((p) => x(p[0]))
      .y((p) => y(p[1]));
    const buckets = Math.max(1, Math.floor((W - M.left - M.right) / PX_PER_BUCKET));
    gl.selectAll<SVGPathElement, SeriesLine>('path')
      .data(lines, (l, i) => `${i}|${l.label}`)
      .join('path')
      .attr('fill', 'none')
      .attr('stroke', (l) => l.color)
      .attr('stroke-width', (l) => (l.dotted ? 1.4 : 1.8))
      .attr('stroke-dasharray', (l) => (l.dotted ? '1.5 3' : l.dashed ? '5 3' : null))
      .attr('d', (l) => line(decimate(l.points, buckets)));
  }, [lines, yDomain, yFormat, size]);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption title={detail}>
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
      <svg ref={ref} viewBox={`0 0 ${size.w} ${size.h}`} preserveAspectRatio="none" />
    </figure>
  );
});
