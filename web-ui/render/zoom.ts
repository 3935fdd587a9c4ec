/** A zoom and pan of a topology canvas (d3-zoom's transform, CSS px). */
export interface Zoom {
  k: number;
  x: number;
  y: number;
}

/** Moves the first `n` screen positions (x, y interleaved) by the zoom; dots keep their size, so stacked peers spread apart. */
export function applyZoom(screen: Float32Array, n: number, { k, x, y }: Zoom): void {
  if (k === 1 && x === 0 && y === 0) return;
  for (let i = 0; i < 2 * n; i += 2) {
    screen[i] = screen[i] * k + x;
    screen[i + 1] = screen[i + 1] * k + y;
  }
}
