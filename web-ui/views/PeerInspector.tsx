import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { SimApi } from '../client/sim-client.ts';
import type { KadPathView, MapTruth } from '../worker/protocol.ts';
import { KadPanel } from './KadPanel.tsx';
import { MapVsTruth } from './MapVsTruth.tsx';

export interface PeerInspectorProps {
  api: SimApi | undefined;
  lane: number;
  laneName: string;
  peer: number;
  /** Changes with every frame: the inspector refreshes at most twice a second. */
  frameSeq: number;
  onSelect(peer: number): void;
  onCrash(peer: number): void;
  /** Draw this peer's map over the topology (undefined: stop). */
  onDrawMap(m: MapTruth | undefined): void;
  /** Draw this Kademlia lookup over the topology (undefined: stop). */
  onDrawPath(p: KadPathView | undefined): void;
  /** More about this peer (the gossip wave it starts). */
  children?: ReactNode;
}

type Info = Record<string, unknown>;

interface Conn {
  peer: number;
  address: number;
  dir: string;
  overlay: boolean;
  rttMs: number | null;
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** One peer, asked from the worker (Simulation.peer): neighbours, map size, message counts, ban scores. */
export function PeerInspector({ api, lane, laneName, peer, frameSeq, onSelect, onCrash, onDrawMap, onDrawPath, children }: PeerInspectorProps) {
  const [info, setInfo] = useState<Info | undefined>();
  const [map, setMap] = useState<MapTruth | undefined>();
  const [drawMap, setDrawMap] = useState(false);
  const last = useRef({ at: 0, key: '' });
  useEffect(() => {
    if (!api || peer < 0) return;
    const key = `${lane}/${peer}`;
    const now = performance.now();
    if (key === last.current.key && now - last.current.at < 500) return;
    last.current = { at: now, key };
    let live = true;
    api.inspect(lane, peer).then((x) => live && setInfo(x));
    api.mapTruth(lane, peer).then((m) => live && setMap(m));
    return () => {
      live = false;
    };
  }, [api, lane, peer, frameSeq]);
  // The drawing follows the peer's map as it refreshes; another peer or lane stops it.
  useEffect(() => setDrawMap(false), [lane, peer]);
  useEffect(() => onDrawMap(drawMap && map?.peer === peer ? map : undefined), [drawMap, map, peer, onDrawMap]);

  if (peer < 0) return <section className="panel inspector"><h2>Peer</h2><p className="hint">Click a peer on the canvas.</p></section>;
  if (!info) return <section className="panel inspector"><h2>Peer {peer}</h2></section>;
  const conns = (info.connections as Conn[] | undefined) ?? [];
  const neighbours = (info.neighbours as number[] | undefined) ?? [];
  const msgs = info.messages as { sent: number; delivered: number } | undefined;
  const place = info.place as { city: string; country: string; continent: string } | undefined;
  const stats = (info.stats as Record<string, unknown> | undefined) ?? {};
  const bans = (info.banScores as { address: number; peer: number; score: number }[] | undefined) ?? [];
  return (
    <section className="panel inspector" data-testid="inspector">
      <h2>
        Peer {peer} <span className="hint">({laneName}, host {String(info.address)})</span>
      </h2>
      <dl>
        <dt>state</dt>
        <dd className={info.up ? 'up' : 'down'}>{info.up ? 'up' : 'down'}</dd>
        {place && (
          <>
            <dt>place</dt>
            <dd>
              {place.city}, {place.country} ({place.continent})
            </dd>
          </>
        )}
        {info.app !== undefined && (
          <>
            <dt>overlay app</dt>
            <dd>{String(info.app)}</dd>
          </>
        )}
        {num(info.mapSize) !== undefined && (
          <>
            <dt>map size</dt>
            <dd data-testid="map-size">{String(info.mapSize)} peers known</dd>
          </>
        )}
        {num(info.routingTableSize) !== undefined && (
          <>
            <dt>routing table</dt>
            <dd>{String(info.routingTableSize)} entries</dd>
          </>
        )}
        <dt>links</dt>
        <dd>
          {String(info.outbound ?? '–')} out · {String(info.inbound ?? '–')} in · {String(info.dialing ?? 0)} dialing
        </dd>
        {msgs && (
          <>
            <dt>messages</dt>
            <dd>
              {msgs.sent} sent · {msgs.delivered} received
            </dd>
          </>
        )}
        {num(stats.dialAttempts) !== undefined && (
          <>
            <dt>dials</dt>
            <dd>
              {String(stats.dialAttempts)} attempts · {String(stats.dialFailures)} failed
            </dd>
            <dt>bans issued</dt>
            <dd>{String(stats.bansIssued)}</dd>
          </>
        )}
      </dl>
      {map && map.peer === peer && <MapVsTruth map={map} drawing={drawMap} onDraw={setDrawMap} />}
      <KadPanel api={api} lane={lane} peer={peer} frameSeq={frameSeq} onSelect={onSelect} onDrawPath={onDrawPath} />
      {children}
      <h3>overlay neighbours ({neighbours.length})</h3>
      <div className="chips">
        {neighbours.map((p) => (
          <button key={p} className="chip" onClick={() => onSelect(p)}>
            {p}
          </button>
        ))}
      </div>
      {conns.length > 0 && (
        <>
          <h3>connections ({conns.length})</h3>
          <table className="small">
            <thead>
              <tr>
                <th>peer</th>
                <th>dir</th>
                <th>overlay</th>
                <th>rtt</th>
              </tr>
            </thead>
            <tbody>
              {conns.map((c) => (
                <tr key={`${c.peer}/${c.address}`}>
                  <td>{c.peer >= 0 ? c.peer : `host ${c.address}`}</td>
                  <td>{c.dir}</td>
                  <td>{c.overlay ? '✓' : ''}</td>
                  <td>{c.rttMs === null ? '' : `${c.rttMs.toFixed(0)} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>ban scores held</h3>
      {bans.length === 0 ? (
        <p className="hint">none</p>
      ) : (
        <table className="small">
          <tbody>
            {bans.map((b) => (
              <tr key={b.address}>
                <td>{b.peer >= 0 ? `peer ${b.peer}` : `host ${b.address}`}</td>
                <td>{b.score}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button data-testid="crash-peer" disabled={!info.up} onClick={() => onCrash(peer)}>
        crash this peer
      </button>
    </section>
  );
}
