import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { PeerNode } from '../../protocols/node/peer-node.ts';
import { encodeFrame } from '../../wire/codec.ts';
import type { IdCodec } from '../../wire/ids.ts';
import { MsgType } from '../../wire/messages.ts';
import { LiveRun } from './live-run.ts';
import { liveState, liveTestScenario, waitFor } from './test-support.ts';

const BOUND_MS = 120_000;
const PEERS = 6;

/** A raw client on a live peer's port; resolves once the peer has closed it (or the bound passed). */
async function attack(port: number, send: (s: Socket) => Promise<void>): Promise<{ closedByPeer: boolean }> {
  const s = connect({ host: '127.0.0.1', port, noDelay: true });
  s.on('error', () => {});
  s.on('data', () => {}); // the peer's Version / Disconnect: read and ignored
  await new Promise<void>((r) => s.once('connect', () => r()));
  let closed = false;
  s.once('close', () => (closed = true));
  await send(s).catch(() => {});
  const ok = await waitFor(() => closed, BOUND_MS);
  s.destroy();
  return { closedByPeer: ok };
}

const write = (s: Socket, b: Uint8Array) => new Promise<void>((r) => (s.destroyed ? r() : s.write(b, () => r())));
const pause = () => new Promise((r) => setTimeout(r, 2));

describe('peermap live: hostile bytes on a real socket', () => {
  it('garbage, an oversized frame and a frame in 1-byte writes: the peer closes and bans the sender, keeps its links, the process stays up', async () => {
    const run = new LiveRun(liveTestScenario(PEERS));
    try {
      await run.start();
      expect(await waitFor(() => { const s = liveState(run); return s.up === PEERS && s.components === 1; }, BOUND_MS)).toBe(true);
      const node = (i: number) => run.net.protocolOf(run.addresses[i]) as unknown as PeerNode;
      const linksBefore = [0, 1, 2].map((i) => node(i).peers().size);

      // Garbage: a frame of an unknown type.
      expect(await attack(run.net.portOf(0), (s) => write(s, Uint8Array.from([0, 0, 0, 5, 0xee, 1, 2, 3, 4])))).toEqual({ closedByPeer: true });
      expect(node(0).stats.offences['malformed-frame']).toBe(1);

      // A header declaring one byte more than the frame limit.
      const max = run.scenario.wire.maxFrameBytes + 1;
      const huge = Uint8Array.from([max >>> 24, (max >>> 16) & 255, (max >>> 8) & 255, max & 255, MsgType.Ping]);
      expect(await attack(run.net.portOf(1), (s) => write(s, huge))).toEqual({ closedByPeer: true });
      expect(node(1).stats.offences['oversized-frame']).toBe(1);

      // A well-formed Ping, one byte per write: reassembled, it is a message out of order in the handshake (50 points,
      // decaying): the third one bans.
      const ping = encodeFrame({ type: MsgType.Ping, nonce: 7 }, {} as IdCodec);
      const dribble = async (s: Socket) => {
        for (const b of ping) {
          await write(s, Uint8Array.of(b));
          await pause();
        }
      };
      for (let k = 0; k < 3; k++) expect(await attack(run.net.portOf(2), dribble)).toEqual({ closedByPeer: true });
      expect(node(2).stats.offences['out-of-state']).toBe(3);
      expect(node(2).stats.handshakes['out-of-order']).toBe(3);
      expect(node(2).stats.offences['malformed-frame']).toBe(0);

      for (const i of [0, 1, 2]) expect(node(i).stats.bansIssued).toBe(1);
      // Banned: the next connection from that address is turned away before a byte is read.
      const rejectedBefore = node(0).stats.inboundRejected;
      expect(await attack(run.net.portOf(0), async () => {})).toEqual({ closedByPeer: true });
      expect(node(0).stats.inboundRejected).toBe(rejectedBefore + 1);

      // The attacked peers keep their links to honest peers, and the overlay is whole.
      const after = liveState(run);
      expect({ up: after.up, components: after.components }).toEqual({ up: PEERS, components: 1 });
      [0, 1, 2].forEach((i) => expect(node(i).peers().size).toBeGreaterThanOrEqual(Math.min(linksBefore[i], 1)));
      expect(run.net.protocolErrors).toBe(0);
    } finally {
      const result = await run.finish();
      expect(result.live.socketsOpenAtEnd).toBe(0);
    }
  }, 4 * BOUND_MS);
});
