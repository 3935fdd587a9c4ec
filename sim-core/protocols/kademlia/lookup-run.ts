import type { LookupKind } from './app-metrics.ts';
import type { Lookup } from './lookup.ts';
import type { LookupPathRecorder } from './lookup-path.ts';

/** One running lookup. */
export interface LookupRun {
  readonly kind: LookupKind;
  readonly lookup: Lookup;
  /** The target's 20 wire bytes, shared by every FIND_NODE of this lookup (never mutated). */
  readonly targetBytes: Uint8Array;
  /** Refresh lookups: the bucket refreshed (-1 otherwise). */
  readonly bucket: number;
  /** FIND_NODE messages actually sent. */
  sent: number;
  /** Requests that hit their deadline. */
  timeouts: number;
  finished: boolean;
  /** Set while paths are recorded (workload lookups only). */
  readonly recorder?: LookupPathRecorder;
}
