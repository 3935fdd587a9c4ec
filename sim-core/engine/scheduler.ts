import { EngineError } from './errors.ts';
import { EventQueue } from './event-queue.ts';
import { growI32 } from './typed-grow.ts';
import { INV_2_32, TRACE_K1, TRACE_K2, TraceHash } from './trace-hash.ts';
import type { TimeUs } from './time.ts';

/** Receives every event the scheduler pops, in (time, seq) order. */
export interface Dispatcher {
  dispatch(kind: number, a: number, b: number, c: number, d: number, payload: unknown): void;
}

/** Opaque handle of a scheduled event, used to cancel it. */
export type EventHandle = number;

/** Why `run` returned. */
export type RunStop = 'until' | 'max-events' | 'empty' | 'stopped';

const SLOT_BITS = 24;
const SLOT_LIMIT = 1 << SLOT_BITS; // 16.7 M pending events at most
const GEN_MASK = (1 << 29) - 1; // handle = gen * 2^24 + slot stays below 2^53
/**
 * Slab record layout: 8 int32 per slot (32 bytes, so a record never straddles
 * a cache line): kind, a, b, c, d, generation, has-payload, 1 spare. All fields of an
 * event are read together at dispatch, so one line beats five arrays here.
 * F_HAS_PAYLOAD spares events without a payload a read of the payload array.
 */
const REC = 8;
const F_KIND = 0;
const F_A = 1;
const F_B = 2;
const F_C = 3;
const F_D = 4;
const F_GEN = 5;
const F_HAS_PAYLOAD = 6;

/**
 * The discrete-event core: a clock, a (time, seq)-ordered queue of events held
 * in a slab of fixed-size int32 records, cancellation by handle, a bounded run loop and
 * the trace hash. It knows nothing of hosts or messages: each event is a small
 * record (kind, a, b, c, d, payload) handed to one Dispatcher.
 */
export class Scheduler {
  readonly trace = new TraceHash();
  private clock: TimeUs = 0;
  private readonly queue: EventQueue;
  private rec: Int32Array;
  private payloads: unknown[];
  private free: Int32Array;
  private freeTop = 0;
  private used = 0;
  private cancelledCount = 0;
  private stopRequested = false;
  private running = false;
  /**
   * True while the event being dispatched still sits at the heap's root: the
   * handler's first `schedule` replaces it in one sift-down, otherwise it is
   * popped after dispatch.
   */
  private topHeld = false;
  private dispatcher: Dispatcher | undefined;

  constructor(
    initialCapacity = 4096,
    /** Hard bound on pending events. */
    readonly maxPending = SLOT_LIMIT,
  ) {
    if (maxPending > SLOT_LIMIT) throw new RangeError(`maxPending must be ≤ ${SLOT_LIMIT}`);
    const cap = Math.max(16, Math.min(initialCapacity, maxPending));
    this.queue = new EventQueue(cap, maxPending);
    this.rec = new Int32Array(cap * REC);
    this.payloads = new Array(cap).fill(undefined);
    this.free = new Int32Array(cap);
  }

  setDispatcher(d: Dispatcher): void {
    this.dispatcher = d;
  }

  get now(): TimeUs {
    return this.clock;
  }

  get pending(): number {
    return this.queue.length - (this.topHeld ? 1 : 0);
  }

  /** Events dispatched so far (cancelled ones excluded); inside `run` it reads the count at the start of that run. */
  get eventsProcessed(): number {
    return this.trace.count;
  }

  get eventsCancelled(): number {
    return this.cancelledCount;
  }

  /** Time of the next pending event (cancelled ones included); undefined when empty. For use between runs. */
  nextTime(): TimeUs | undefined {
    return this.queue.peekTime();
  }

  /** Schedules an event at absolute integer time `at` ≥ now. `kind` is 1..255 (0 marks a cancelled slot). */
  schedule(at: TimeUs, kind: number, a: number, b: number, c: number, d: number, payload?: unknown): EventHandle {
    if (!(at >= this.clock) || Math.floor(at) !== at) {
      throw new EngineError('bad-time', `cannot schedule at ${at} µs (now ${this.clock} µs; integer ≥ now required)`);
    }
    const slot = this.allocSlot();
    const rec = this.rec;
    const o = slot * REC;
    rec[o + F_KIND] = kind;
    rec[o + F_A] = a;
    rec[o + F_B] = b;
    rec[o + F_C] = c;
    rec[o + F_D] = d;
    if (payload !== undefined) {
      this.payloads[slot] = payload;
      rec[o + F_HAS_PAYLOAD] = 1;
    } else rec[o + F_HAS_PAYLOAD] = 0;
    if (this.topHeld) {
      this.topHeld = false;
      this.queue.replaceTop(at, slot);
    } else this.queue.push(at, slot);
    return rec[o + F_GEN] * SLOT_LIMIT + slot;
  }

  /** Cancels a pending event; false if it already ran or was cancelled. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_LIMIT;
    const gen = (handle - slot) / SLOT_LIMIT;
    const o = slot * REC;
    if (slot >= this.used || this.rec[o + F_GEN] !== gen || this.rec[o + F_KIND] === 0) return false;
    this.rec[o + F_KIND] = 0;
    this.payloads[slot] = undefined;
    this.cancelledCount++;
    return true;
  }

  /** Asks the running loop to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Runs events with time ≤ `untilUs`, at most `maxEvents` of them (cancelled
   * events are skipped and not counted). When it returns 'until' or 'empty',
   * the clock reads `untilUs`.
   */
  run(untilUs: TimeUs, maxEvents = Number.MAX_SAFE_INTEGER): RunStop {
    if (this.running) throw new EngineError('reentrant-run', 'Scheduler.run called from inside an event');
    const dispatcher = this.dispatcher;
    if (!dispatcher) throw new Error('Scheduler has no dispatcher');
    this.running = true;
    this.stopRequested = false;
    const queue = this.queue;
    const trace = this.trace;
    let budget = maxEvents;
    let why: RunStop = 'empty';
    // Trace state lives in locals for the loop (see TraceHash.event for the mixing).
    let h1 = trace.h1;
    let h2 = trace.h2;
    let count = trace.count;
    try {
      while (true) {
        if (this.stopRequested) {
          why = 'stopped';
          break;
        }
        if (budget <= 0) {
          why = 'max-events';
          break;
        }
        if (queue.length === 0) {
          why = 'empty';
          break;
        }
        const t = queue.peekTimeUnchecked();
        if (t > untilUs) {
          why = 'until';
          break;
        }
        const slot = queue.peekValue();
        const rec = this.rec;
        const o = slot * REC;
        const kind = rec[o + F_KIND];
        if (kind === 0) {
          queue.pop();
          this.freeSlot(slot);
          continue;
        }
        this.clock = t;
        const a = rec[o + F_A];
        const b = rec[o + F_B];
        const c = rec[o + F_C];
        const d = rec[o + F_D];
        rec[o + F_GEN] = (rec[o + F_GEN] + 1) & GEN_MASK; // stale handles no longer match
        let payload: unknown;
        if (rec[o + F_HAS_PAYLOAD] === 1) {
          payload = this.payloads[slot];
          this.payloads[slot] = undefined;
        }
        this.free[this.freeTop++] = slot;
        const lo = t | 0;
        const hi = ((t * INV_2_32) | 0) ^ (kind << 24);
        h1 = Math.imul(((h1 << 5) | (h1 >>> 27)) ^ lo, TRACE_K1);
        h2 = Math.imul(((h2 << 7) | (h2 >>> 25)) ^ hi, TRACE_K2);
        h1 = Math.imul(((h1 << 5) | (h1 >>> 27)) ^ a, TRACE_K1);
        h2 = Math.imul(((h2 << 7) | (h2 >>> 25)) ^ b, TRACE_K2);
        h1 = Math.imul(((h1 << 5) | (h1 >>> 27)) ^ c, TRACE_K1);
        h2 = Math.imul(((h2 << 7) | (h2 >>> 25)) ^ d, TRACE_K2);
        const x = h1;
        h1 ^= (h2 << 16) | (h2 >>> 16);
        h2 ^= (x << 11) | (x >>> 21);
        count++;
        budget--;
        this.topHeld = true;
        dispatcher.dispatch(kind, a, b, c, d, payload);
        if (this.topHeld) {
          this.topHeld = false;
          queue.pop();
        }
      }
    } finally {
      if (this.topHeld) {
        this.topHeld = false;
        queue.pop();
      }
      trace.h1 = h1;
      trace.h2 = h2;
      trace.count = count;
      this.running = false;
    }
    // A caller may ask for a fractional bound (the dashboard's speed × wall time); the clock stays whole µs.
    const toUs = Math.floor(untilUs);
    if ((why === 'until' || why === 'empty') && toUs > this.clock && untilUs !== Number.POSITIVE_INFINITY) {
      this.clock = toUs;
    }
    return why;
  }

  private allocSlot(): number {
    if (this.freeTop > 0) return this.free[--this.freeTop];
    if (this.used * REC === this.rec.length) this.growSlab();
    return this.used++;
  }

  private freeSlot(slot: number): void {
    this.payloads[slot] = undefined;
    this.rec[slot * REC + F_GEN] = (this.rec[slot * REC + F_GEN] + 1) & GEN_MASK;
    this.free[this.freeTop++] = slot;
  }

  private growSlab(): void {
    const cap = this.rec.length / REC;
    if (cap >= this.maxPending) {
      throw new EngineError('queue-full', `event slab is full (${this.maxPending} pending events)`);
    }
    const next = Math.min(cap * 2, this.maxPending);
    this.rec = growI32(this.rec, next * REC);
    this.free = growI32(this.free, next);
    for (let i = cap; i < next; i++) this.payloads.push(undefined);
  }
}
