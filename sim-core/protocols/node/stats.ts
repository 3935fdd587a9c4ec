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

export interface DialAttempt {
  tUs: TimeUs;
  address: Address;
  outcome: 'pending' | 'connected' | 'failed';
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
  /** The last dial attempts, oldest first (bounded). */
  readonly attempts: DialAttempt[] = [];

  constructor(private readonly attemptLogSize: number) {}

  logBan(address: Address): void {
    if (this.banLog.length < MAX_BAN_LOG) this.banLog.push(address);
  }

  logAttempt(a: DialAttempt): DialAttempt {
    this.attempts.push(a);
    if (this.attempts.length > this.attemptLogSize) this.attempts.shift();
    return a;
  }
}
