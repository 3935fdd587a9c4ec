import { useState } from 'react';
import type { FrameStore } from '../client/store.ts';
import { download } from '../client/png.ts';
import { maxRecordingBytes, maxRecordingMs, startWebm, stopWebm, webmUnsupported } from '../client/webm.ts';

const unsupported = webmUnsupported();
const limits = `stops by itself after ${maxRecordingMs / 1000} s or ${maxRecordingBytes / 2 ** 20} MB`;

/** The "record video" toggle: records the topology view as a WebM, downloaded when pressed again. */
export function RecordButton({ store, disabled, onError }: { store: FrameStore; disabled: boolean; onError: (message: string) => void }) {
  const [recording, setRecording] = useState(false);
  const nowS = () => (store.frame?.nowUs ?? 0) / 1e6;
  const toggle = () => {
    if (recording) return stopWebm();
    const name = `peermap-${store.info?.name ?? 'view'}-t${Math.round(nowS())}s.webm`;
    const caption = () => `${store.info?.name ?? 'peermap'} · ${(store.info?.strategies ?? []).join(' · ')} · t = ${nowS().toFixed(1)} s`;
    try {
      startWebm(
        caption,
        (video) => {
          setRecording(false);
          download(video, name);
        },
        (e) => onError(`recording failed: ${e instanceof Error ? e.message : String(e)}`),
      );
      setRecording(true);
    } catch (e) {
      onError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <button
      data-testid="record-webm"
      className={recording ? 'recording' : undefined}
      aria-pressed={recording}
      disabled={!!unsupported || (disabled && !recording)}
      title={unsupported ?? (recording ? `stop and download the video (${limits})` : `record the topology view as a WebM video (${limits})`)}
      onClick={toggle}
    >
      {recording ? '■ stop video' : '● video'}
    </button>
  );
}
