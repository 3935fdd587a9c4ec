import { useEffect, useRef, useState } from 'react';
import type { SimApi } from '../client/sim-client.ts';
import type { KadPathView, KadView } from '../worker/protocol.ts';
import { KadBuckets } from './KadBuckets.tsx';
import { LookupPath } from './LookupPath.tsx';
import './kad.css';

/** The worker is asked at most this often (ms); the last frame is always asked for, so a paused run shows its final state. */
const REFRESH_MS = 500;

export interface KadPanelProps {
  api: SimApi | undefined;
  lane: number;
  peer: number;
  frameSeq: number;
  onSelect(peer: number): void;
  /** Draw this lookup over the topology (undefined: stop). */
  onDrawPath(p: KadPathView | undefined): void;
}

/** The Kademlia part of the inspector (Kademlia lanes only): the peer's buckets and its last lookup. */
export function KadPanel({ api, lane, peer, frameSeq, onSelect, onDrawPath }: KadPanelProps) {
  const [view, setView] = useState<KadView | undefined>();
  const [drawing, setDrawing] = useState(true);
  const last = useRef({ at: 0, key: '' });
  /** The lane/peer shown: an answer for another one (asked before a click) is dropped. */
  const current = useRef('');
  useEffect(() => () => void (current.current = ''), []);
  useEffect(() => {
    if (!api || peer < 0) return;
    const key = `${lane}/${peer}`;
    if (key !== current.current) setView(undefined);
    current.current = key;
    const ask = () => {
      last.current = { at: performance.now(), key };
      api.kadView(lane, peer).then((v) => current.current === key && setView(v));
    };
    const wait = key === last.current.key ? last.current.at + REFRESH_MS - performance.now() : 0;
    if (wait <= 0) return void ask();
    const timer = setTimeout(ask, wait);
    return () => clearTimeout(timer);
  }, [api, lane, peer, frameSeq]);
  const shown = view?.peer === peer ? view : undefined;
  const path = drawing ? shown?.path : undefined;
  useEffect(() => {
    onDrawPath(path);
    return () => onDrawPath(undefined);
  }, [path, onDrawPath]);
  if (!shown) return null;
  return (
    <div className="kad-panel" data-testid="kad-panel">
      <KadBuckets view={shown} onSelect={onSelect} />
      <LookupPath peer={peer} path={shown.path} drawing={drawing} onDraw={setDrawing} onSelect={onSelect} />
    </div>
  );
}
