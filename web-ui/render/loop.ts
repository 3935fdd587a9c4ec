/**
 * One requestAnimationFrame loop for every canvas: each registered painter
 * draws once per frame. It also measures what the page renders: frames per
 * second over a window and the time spent painting, which `npm run
 * bench:ui` reads (window.__peermap.measureFps), and counts frames.
 */
type Painter = (now: number) => void;

class RenderLoop {
  private painters = new Set<Painter>();
  private running = false;
  /** Animation frames run so far. */
  frames = 0;
  /** Total and worst painting time, ms. */
  paintMs = 0;
  worstPaintMs = 0;

  add(p: Painter): () => void {
    this.painters.add(p);
    if (!this.running) {
      this.running = true;
      requestAnimationFrame(this.frame);
    }
    return () => this.painters.delete(p);
  }

  private frame = (now: number): void => {
    this.frames++;
    const t0 = performance.now();
    for (const p of this.painters) p(now);
    const dt = performance.now() - t0;
    this.paintMs += dt;
    this.worstPaintMs = Math.max(this.worstPaintMs, dt);
    requestAnimationFrame(this.frame);
  };

  /** Frames per second over the next `ms` of wall time, with painting cost. */
  measure(ms: number): Promise<{ fps: number; frames: number; ms: number; meanPaintMs: number; worstPaintMs: number }> {
    const f0 = this.frames;
    const p0 = this.paintMs;
    const t0 = performance.now();
    this.worstPaintMs = 0;
    return new Promise((resolve) => {
      setTimeout(() => {
        const elapsed = performance.now() - t0;
        const frames = this.frames - f0;
        resolve({ fps: (frames * 1000) / elapsed, frames, ms: elapsed, meanPaintMs: frames > 0 ? (this.paintMs - p0) / frames : 0, worstPaintMs: this.worstPaintMs });
      }, ms);
    });
  }
}

export const renderLoop = new RenderLoop();
