import * as d3 from 'd3';
import { useEffect, useRef, type MouseEvent } from 'react';
import type { FrameStore } from '../client/store.ts';
import { renderLoop } from '../render/loop.ts';
import { LanePainter, paintersByLane, type PaintOptions } from '../render/painter.ts';

/** Deepest zoom: a city's peers spread apart at about this much. */
const MAX_ZOOM = 40;

export interface TopologyViewProps {
  store: FrameStore;
  lane: number;
  options: PaintOptions;
  onSelect(peer: number): void;
  /** CSS height of the canvas; absent, the canvas fills the height its container gives it. */
  height?: number;
  title?: string;
}

/**
 * One lane's overlay on a <canvas> (force layout or world map). Painting
 * happens in the shared animation loop from the store's latest frame; React
 * only mounts the canvas and passes options.
 */
export function TopologyView({ store, lane, options, onSelect, height, title }: TopologyViewProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const painterRef = useRef<LanePainter | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) return;
    const painter = new LanePainter(store, lane);
    painterRef.current = painter;
    paintersByLane.set(lane, { painter, canvas });
    let cssW = 0;
    let cssH = 0;
    let dpr = 1;
    const resize = () => {
      const r = canvas.getBoundingClientRect();
      dpr = Math.min(2, window.devicePixelRatio || 1);
      cssW = Math.max(1, Math.round(r.width));
      cssH = Math.max(1, Math.round(r.height));
      canvas.width = Math.round(cssW * dpr);
      canvas.height = Math.round(cssH * dpr);
    };
    resize();
    const ro = new ResizeObserver(resize);
    ro.observe(canvas);
    const remove = renderLoop.add((now) => painter.paint(ctx, cssW, cssH, dpr, optionsRef.current, now));
    // Zoom (wheel, pinch) and pan (drag); a double click goes back to the whole view. A click without a drag still selects a peer.
    const sel = d3.select(canvas);
    const zoom = d3
      .zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([1, MAX_ZOOM])
      .on('zoom', (e: d3.D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        painter.zoom = { k: e.transform.k, x: e.transform.x, y: e.transform.y };
      });
    sel.call(zoom).on('dblclick.zoom', () => sel.call(zoom.transform, d3.zoomIdentity));
    return () => {
      sel.on('.zoom', null);
      remove();
      ro.disconnect();
      if (paintersByLane.get(lane)?.painter === painter) paintersByLane.delete(lane);
    };
  }, [store, lane]);

  const onClick = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const hit = painterRef.current?.hit(e.clientX - r.left, e.clientY - r.top) ?? -1;
    onSelect(hit);
  };

  return (
    <div className="topology">
      {title && <div className="topology-title">{title}</div>}
      <canvas ref={canvasRef} data-testid={`topology-${lane}`} style={height !== undefined ? { height } : undefined} onClick={onClick} />
    </div>
  );
}
