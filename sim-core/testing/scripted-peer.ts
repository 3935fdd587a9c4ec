import type { TimeUs } from '../engine/time.ts';
import type { Address, CloseReason, ConnId, Direction, PeerActions, PeerProtocol } from '../sans-io/protocol.ts';

/** What a ScriptedPeer saw, in order, with the time it saw it. */
export type Seen =
  | { t: TimeUs; ev: 'start' }
  | { t: TimeUs; ev: 'connected'; conn: ConnId; remote: Address; dir: Direction }
  | { t: TimeUs; ev: 'dial-failed'; conn: ConnId; remote: Address; reason: CloseReason }
  | { t: TimeUs; ev: 'message'; conn: ConnId; msg: unknown }
  | { t: TimeUs; ev: 'closed'; conn: ConnId; reason: CloseReason }
  | { t: TimeUs; ev: 'timer'; tag: number };

/**
 * A test protocol that records every event and runs an optional reaction,
 * so tests can drive the World (or any driver) and assert what each side saw.
 */
export class ScriptedPeer<M = unknown> implements PeerProtocol<M> {
  readonly seen: Seen[] = [];
  constructor(
    readonly io: PeerActions<M>,
    private readonly react: (self: ScriptedPeer<M>, e: Seen) => void = () => {},
  ) {}
  private note(e: Seen): void {
    this.seen.push(e);
    this.react(this, e);
  }
  onStart(t: TimeUs): void {
    this.note({ t, ev: 'start' });
  }
  onConnected(t: TimeUs, conn: ConnId, remote: Address, dir: Direction): void {
    this.note({ t, ev: 'connected', conn, remote, dir });
  }
  onDialFailed(t: TimeUs, conn: ConnId, remote: Address, reason: CloseReason): void {
    this.note({ t, ev: 'dial-failed', conn, remote, reason });
  }
  onMessage(t: TimeUs, conn: ConnId, msg: M): void {
    this.note({ t, ev: 'message', conn, msg });
  }
  onClosed(t: TimeUs, conn: ConnId, reason: CloseReason): void {
    this.note({ t, ev: 'closed', conn, reason });
  }
  onTimer(t: TimeUs, tag: number): void {
    this.note({ t, ev: 'timer', tag });
  }
}
