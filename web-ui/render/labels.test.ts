import { describe, expect, it } from 'vitest';
import { MAX_LABELS, placeLabels, type LabelBox } from './labels.ts';

const overlap = (a: LabelBox, b: LabelBox) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** n peers at pseudo-random positions (a fixed LCG: the test must not depend on Math.random). */
function crowd(n: number, width: number, height: number) {
  const screen = new Float32Array(2 * n);
  const radius = new Float32Array(n).fill(2);
  const degree = new Uint32Array(n);
  let s = 12345;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    screen[2 * i] = next() * width;
    screen[2 * i + 1] = next() * height;
    degree[i] = Math.floor(next() * 12);
  }
  return { screen, radius, degree, all: Array.from({ length: n }, (_, i) => i) };
}

describe('peer labels only where they fit', () => {
  it('places no two labels over each other, all inside the canvas, at most the bound', () => {
    const { screen, radius, degree, all } = crowd(2500, 1200, 800);
    const p = placeLabels(all, degree, screen, radius, 9, 1200, 800);
    expect(p.peers.length).toBeGreaterThan(50);
    expect(p.peers.length).toBeLessThanOrEqual(MAX_LABELS);
    const bad: string[] = [];
    for (let a = 0; a < p.boxes.length; a++) {
      const b = p.boxes[a];
      if (!(b.x >= 0 && b.y >= 0 && b.x + b.w <= 1200 && b.y + b.h <= 800)) bad.push(`${p.peers[a]} outside`);
      for (let c = a + 1; c < p.boxes.length; c++) if (overlap(b, p.boxes[c])) bad.push(`${p.peers[a]} over ${p.peers[c]}`);
    }
    expect(bad).toEqual([]);
    expect(placeLabels(all, degree, screen, radius, 9, 1200, 800, 10).peers.length).toBe(10);
  });

  it('is deterministic and independent of the candidates’ order: best-connected first, ties by peer number', () => {
    const { screen, radius, degree, all } = crowd(800, 600, 400);
    const a = placeLabels(all, degree, screen, radius, 9, 600, 400);
    const b = placeLabels([...all].reverse(), degree, screen, radius, 9, 600, 400);
    expect(b).toEqual(a);
    for (let k = 1; k < a.peers.length; k++) {
      const [u, v] = [a.peers[k - 1], a.peers[k]];
      expect(degree[u] > degree[v] || (degree[u] === degree[v] && u < v)).toBe(true);
    }
  });

  it('labels every peer of a sparse classroom; of three peers on one spot the two best connected (right, then left); at the right edge, on the left', () => {
    const n = 50;
    const screen = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      screen[2 * i] = 40 + (i % 10) * 100;
      screen[2 * i + 1] = 40 + Math.floor(i / 10) * 60;
    }
    const all = Array.from({ length: n }, (_, i) => i);
    expect(placeLabels(all, new Uint32Array(n), screen, new Float32Array(n).fill(7), 9, 1100, 400).peers.length).toBe(n);
    const three = placeLabels([0, 1, 2], Uint32Array.of(3, 5, 4), Float32Array.of(100, 100, 100, 100, 100, 100), Float32Array.of(5, 5, 5), 9, 400, 400);
    expect(three.peers).toEqual([1, 2]);
    expect(three.boxes[0].x).toBeGreaterThan(100);
    expect(three.boxes[1].x + three.boxes[1].w).toBeLessThan(100);
    const at = new Float32Array(16);
    at.set([395, 200], 14);
    const edge = placeLabels([7], new Uint32Array(8), at, new Float32Array(8).fill(5), 9, 400, 400);
    expect(edge.peers).toEqual([7]);
    expect(edge.boxes[0].x + edge.boxes[0].w).toBeLessThan(395);
  });
});
