import { drawTopology } from './png.ts';

/** A recording stops by itself after this long or this many bytes, so a forgotten one cannot fill the memory. */
export const maxRecordingMs = 120_000;
export const maxRecordingBytes = 64 * 1024 * 1024;
const framesPerS = 30;
/** MediaRecorder hands over a chunk this often (the byte cap is checked per chunk). */
const chunkMs = 500;

/** Why recording cannot work in this browser, or null when it can. */
export function webmUnsupported(): string | null {
  if (typeof MediaRecorder === 'undefined') return 'this browser has no MediaRecorder: no video recording';
  if (!MediaRecorder.isTypeSupported('video/webm')) return 'this browser cannot record video/webm';
  if (typeof HTMLCanvasElement.prototype.captureStream !== 'function') return 'this browser cannot capture a canvas as a stream';
  return null;
}

/** What the page hooks report (tests wait on chunks, not on wall time). */
export const webmState = { recording: false, chunks: 0, bytes: 0 };

let stopCurrent: (() => void) | null = null;

/**
 * Starts recording the topology view: all lanes composed (as the PNG export
 * does) into one offscreen canvas every animation frame, captured at 30 fps.
 * `onDone` gets the video when `stopWebm` is called or a cap is reached.
 */
export function startWebm(caption: () => string, onDone: (video: Blob) => void, onError: (e: unknown) => void): void {
  if (stopCurrent) return;
  const out = document.createElement('canvas');
  drawTopology(out, caption());
  const recorder = new MediaRecorder(out.captureStream(framesPerS), { mimeType: 'video/webm' });
  const chunks: Blob[] = [];
  Object.assign(webmState, { recording: true, chunks: 0, bytes: 0 });
  let raf = 0;
  const paint = () => {
    try {
      drawTopology(out, caption());
    } catch {
      // The view is gone for a moment (re-layout): keep the last picture.
    }
    raf = requestAnimationFrame(paint);
  };
  raf = requestAnimationFrame(paint);
  const timer = setTimeout(() => stopWebm(), maxRecordingMs);
  recorder.ondataavailable = (e) => {
    if (e.data.size === 0) return;
    chunks.push(e.data);
    webmState.chunks++;
    webmState.bytes += e.data.size;
    if (webmState.bytes >= maxRecordingBytes) stopWebm();
  };
  recorder.onstop = () => {
    webmState.recording = false;
    onDone(new Blob(chunks, { type: 'video/webm' }));
  };
  recorder.onerror = (e) => {
    stopWebm();
    onError(e);
  };
  stopCurrent = () => {
    cancelAnimationFrame(raf);
    clearTimeout(timer);
    if (recorder.state !== 'inactive') recorder.stop();
  };
  recorder.start(chunkMs);
}

/** Stops the recording (its video goes to `onDone`); nothing if none runs. */
export function stopWebm(): void {
  const stop = stopCurrent;
  stopCurrent = null;
  stop?.();
}

export const isRecordingWebm = () => stopCurrent !== null;
