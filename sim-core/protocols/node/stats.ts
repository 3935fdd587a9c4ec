import type { TimeUs } from '../../engine/time.ts';
import type { HandshakeOutcome } from '../handshake/handshake.ts';
import type { Address } from '../../sans-io/protocol.ts';
import { OFFENCES, type Offence } from './config.ts';

export const HANDSHAKE_OUTCOMES: readonly HandshakeOutcome[] = [
  'established',
  'self-connection',
  'version-mismatch',
  'bad-signature',
  'insufficient-work',
  'out-of-order',
  'rejected',
  'timeout',
  'id-limit',
];

/** Bans a node remembers by address (bansIssued counts them all). */
const MAX_BAN_LOG = 1024;

export type DialOutcome = 'pending' | 'connected' | 'failed';
const DIAL_OUTCOMES: readonly DialOutcome[] = ['pending', 'connected', 'failed'];

export interface DialAttempt {
  tUs: TimeUs;
  address: Address;
  outcome: DialOutcome;
}

/**
 * The last dial attempts of a node: a ring over typed arrays. One object per
 * dial kept 256 per node alive and made every dial a full GC's garbage.
 * An attempt is named by its sequence number; once the ring has moved past
 * it, setting its outcome does nothing (it is no longer reported).
 */
export class DialLog {
  private readonly tUs: Float64Array;
  private readonly address: Float64Array;
  private readonly outcome: Uint8Array;
  /** Attempts logged so far (the next sequence number). */
  private total = 0;

  constructor(private readonly capacity: number) {
    this.tUs = new Float64Array(capacity);
    this.address = new Float64Array(capacity);
    this.outcome = new Uint8Array(capacity);
  }

  /** Logs a pending attempt; returns its sequence number. */
  log(tUs: TimeUs, address: Address): number {
    if (this.capacity === 0) return this.total++;
    const i = this.total % this.capacity;
    this.tUs[i] = tUs;
    this.address[i] = address;
    this.outcome[i] = 0;
    return this.total++;
  }

  setOutcome(seq: number, outcome: DialOutcome): void {
    if (seq < 0 || seq >= this.total || seq < this.total - this.capacity) return;
    this.outcome[seq % this.capacity] = DIAL_OUTCOMES.indexOf(outcome);
  }

  /** The attempts still logged, oldest first (copies). */
  list(): DialAttempt[] {
    const out: DialAttempt[] = [];
    for (let seq = Math.max(0, this.total - this.capacity); seq < this.total; seq++) {
      const i = seq % this.capacity;
      out.push({ tUs: this.tUs[i], address: this.address[i], outcome: DIAL_OUTCOMES[this.outcome[i]] });
    }
    return out;
  }
}

/** Per-node counters the metrics layer sums or reports per node. */
export class NodeStats {
  readonly handshakes = Object.fromEntries(HANDSHAKE_OUTCOMES.map((k) => [k, 0])) as Record<HandshakeOutcome, number>;
  readonly offences = Object.fromEntries(OFFENCES.map((k) => [k, 0])) as Record<Offence, number>;
  bansIssued = 0;
  lanBeaconsSent = 0;
  lanBeaconsReceived = 0;
  lanBeaconsInvalid = 0;
  /** Addresses first learnt from a LAN beacon. */
  lanDiscovered = 0;
  dialAttempts = 0;
  dialFailures = 0;
  inboundRejected = 0;
  /** Inbound connections turned away by the per-address or per-group limits (also counted in inboundRejected). */
  inboundCapped = 0;
  duplicatesClosed = 0;
  staleEvicted = 0;
  rateDropped = 0;
  /** Frames dropped because the table of unknown peer ids was full (not charged to anyone). */
  idLimitDropped = 0;
  pingsSent = 0;
  rttSamples = 0;
  rttSumUs = 0;
  /** Addresses this node banned, in order, up to MAX_BAN_LOG (the security metrics tell honest from hostile). */
  readonly banLog: Address[] = [];
  readonly dials: DialLog;

  constructor(attemptLogSize: number) {
    this.dials = new DialLog(attemptLogSize);
  }

  /** The last dial attempts, oldest first (bounded; copies). */
  get attempts(): DialAttempt[] {
    return this.dials.list();
  }

  logBan(address: Address): void {
    if (this.banLog.length < MAX_BAN_LOG) this.banLog.push(address);
  }
}
