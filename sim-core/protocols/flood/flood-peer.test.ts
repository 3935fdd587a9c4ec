import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { recordingActions } from '../../testing/recording-actions.ts';
import { FloodPeer, type FloodConfig } from './flood-peer.ts';
import type { FloodPing } from './messages.ts';

const CFG: FloodConfig = { degree: 2, maxInbound: 1, pingIntervalS: 10, ttl: 3, dialRetryS: 5, seenCapacity: 16 };

describe('FloodPeer restarted after a crash (no onClosed: the process just died)', () => {
  it('dials its degree again and accepts inbound peers again', () => {
    const { io, log } = recordingActions<FloodPing>();
    const p = new FloodPeer(0, 50, io, new RngStreams(4).stream('flood'), CFG);
    p.onStart(0);
    expect(log.dials).toHaveLength(2);
    p.onConnected(1, 100, log.dials[0], 'out');
    p.onConnected(1, 101, log.dials[1], 'out');
    p.onConnected(1, 200, 7, 'in');
    p.onConnected(1, 201, 8, 'in'); // over maxInbound: refused
    expect(log.closed).toEqual([201]);
    // Crash, then restart with kept state: the same object starts again.
    p.onStart(10);
    expect(log.dials).toHaveLength(4);
    expect(p.neighbours.size).toBe(0);
    p.onConnected(11, 202, 9, 'in');
    expect(log.closed).toEqual([201]);
    expect([...p.neighbours]).toEqual([202]);
  });
});
