import { useState } from 'react';
import type { SimApi } from '../client/sim-client.ts';
import { waveHopColor } from '../render/colors.ts';
import type { WaveFrame } from '../worker/protocol.ts';

export interface GossipWaveProps {
  api: SimApi | undefined;
  lane: number;
  peer: number;
  /** The wave followed in this lane (latest frame), if any. */
  wave: WaveFrame | undefined;
  /** A live global-map lane, run not over. */
  canFollow: boolean;
}

/**
 * "Follow a gossip wave": the inspected peer originates a link event now
 * (it re-announces a link); the topology rings every peer it reaches in
 * the colour of its hop and draws the tree of first receipts. The readout
 * and its data attributes (tests wait on them) follow the latest frame.
 */
export function GossipWave({ api, lane, peer, wave, canFollow }: GossipWaveProps) {
  const [error, setError] = useState<string>();
  const follow = async () => {
    setError(undefined);
    const r = await api?.followWave(lane, peer);
    if (r && !r.ok) setError(r.error);
  };
  const edges = wave ? Array.from(wave.via).filter((v, i) => v >= 0 && wave.firstUs[i] >= 0).length : 0;
  return (
    <div className="gossip-wave" data-testid="gossip-wave">
      <h3>gossip wave</h3>
      <button data-testid="follow-wave" disabled={!canFollow || !api} title="this peer re-announces one of its links now; watch the event spread" onClick={() => void follow()}>
        follow a gossip wave
      </button>
      {wave && (
        <button data-testid="stop-wave" onClick={() => api?.stopWave()}>
          stop
        </button>
      )}
      {error && <p className="error">{error}</p>}
      {wave && (
        <p
          data-testid="wave-readout"
          data-origin={wave.origin}
          data-started={wave.started}
          data-reached={wave.reached}
          data-live={wave.live}
          data-settled={wave.settled}
          data-edges={edges}
          data-max-hop={wave.maxHop}
          data-ttl={wave.ttl}
        >
          {!wave.started
            ? `waiting for peer ${wave.origin} to originate…`
            : `peer ${wave.origin}: reached ${wave.reached} of ${wave.live} in ${(wave.spanUs / 1000).toFixed(0)} ms, max hop ${wave.maxHop} (TTL ${wave.ttl})${wave.settled ? '' : ' …'}`}
        </p>
      )}
      {wave?.started && (
        <div className="chips" aria-label="hop colours">
          {Array.from({ length: wave.maxHop + 1 }, (_, h) => (
            <span key={h} className="chip" style={{ borderColor: waveHopColor(h), color: waveHopColor(h) }}>
              hop {h}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
