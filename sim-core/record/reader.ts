import {
  REPLAY_FORMAT,
  REPLAY_LIMITS,
  REPLAY_VERSION,
  type ReplayDelta,
  type ReplayEnd,
  type ReplayFault,
  type ReplayHeader,
  type ReplayKey,
} from './format.ts';

/** A replay file that cannot be read: `field` names what is wrong (e.g. `line 12: delta.linkUp[4]`). */
export class ReplayFormatError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`replay file: ${field}: ${problem}`);
    this.name = 'ReplayFormatError';
  }
}

/** A replay file's records, checked: every index in range, times in order, sizes bounded. */
export interface ReplayData {
  header: ReplayHeader;
  deltas: ReplayDelta[];
  keys: ReplayKey[];
  /** Per keyframe, how many deltas came before it in the file: the ones it already holds (a delta after it at its own instant is not). */
  keyDeltas: number[];
  end?: ReplayEnd;
}

type Obj = Record<string, unknown>;

/**
 * Parses and validates the decompressed text of a replay file. Total: returns
 * the records or throws ReplayFormatError naming the field; never trusts a
 * count or an index it has not checked against the records before it.
 */
/** The reader's bounds (REPLAY_LIMITS; tests pass smaller ones). */
export type ReplayLimits = { readonly [K in keyof typeof REPLAY_LIMITS]: number };

export function parseReplayText(text: string, L: ReplayLimits = REPLAY_LIMITS): ReplayData {
  if (text.length > L.maxTextBytes) throw new ReplayFormatError('file', `larger than ${L.maxTextBytes} bytes decompressed`);
  const v = new Validator(L);
  let header: ReplayHeader | undefined;
  const deltas: ReplayDelta[] = [];
  const keys: ReplayKey[] = [];
  const keyDeltas: number[] = [];
  let end: ReplayEnd | undefined;
  let lastUs = 0;
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let stop = text.indexOf('\n', start);
    if (stop < 0) stop = text.length;
    const line = text.slice(start, stop);
    start = stop + 1;
    lineNo++;
    if (line.trim() === '') continue;
    if (lineNo > L.maxRecords) throw new ReplayFormatError('file', `more than ${L.maxRecords} records`);
    if (line.length > L.maxLineBytes) throw new ReplayFormatError(`line ${lineNo}`, `longer than ${L.maxLineBytes} bytes`);
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new ReplayFormatError(`line ${lineNo}`, 'not JSON');
    }
    v.at = `line ${lineNo}`;
    const o = v.obj(rec, 'record');
    if (end) v.fail('record', 'records after the end record');
    if (!header) {
      header = v.header(o);
      continue;
    }
    // Checked before any use: a string, never an object whose toString is a number.
    const rawType = o.type;
    if (typeof rawType !== 'string') throw new ReplayFormatError(`${v.at}: type`, 'must be a string: delta, key or end');
    const type = rawType.slice(0, 40);
    const tUs = v.int(o.tUs, `${type}.tUs`, lastUs, header.endUs);
    lastUs = tUs;
    if (type === 'delta') deltas.push(v.delta(o, tUs));
    else if (type === 'key') {
      keys.push(v.key(o, tUs));
      keyDeltas.push(deltas.length);
    }
    else if (type === 'end') end = { type: 'end', tUs, traceHash: v.str(o.traceHash, 'end.traceHash'), events: v.int(o.events, 'end.events', 0, Number.MAX_SAFE_INTEGER), endReason: v.str(o.endReason, 'end.endReason') };
    else v.fail('type', `${JSON.stringify(type)} is not delta, key or end`);
  }
  if (!header) throw new ReplayFormatError('header', 'missing (empty file)');
  if (keys.length === 0) throw new ReplayFormatError('key', 'no keyframe in the file');
  return { header, deltas, keys, keyDeltas, end };
}

/** A value for an error message: scalars as JSON (40 characters at most), containers by kind (a deep one would overflow JSON.stringify's stack). */
function shown(x: unknown): string {
  if (Array.isArray(x)) return 'an array';
  if (x !== null && typeof x === 'object') return 'an object';
  return String(JSON.stringify(x)).slice(0, 40);
}

class Validator {
  constructor(private readonly L: ReplayLimits) {}

  at = 'line 1';
  /** Honest peers known so far (grows with `delta.peers`). */
  private n = 0;
  private maxHost = 0;
  /** Links the player's state may hold now: the last keyframe's plus every link-up since. */
  private liveLinksUpper = 0;

  fail(field: string, problem: string): never {
    throw new ReplayFormatError(`${this.at}: ${field}`, problem);
  }

  obj(x: unknown, field: string): Obj {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) this.fail(field, 'must be an object');
    return x as Obj;
  }

  int(x: unknown, field: string, min: number, max: number): number {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) this.fail(field, `must be an integer in [${min}, ${max}], got ${shown(x)}`);
    return x;
  }

  num(x: unknown, field: string): number {
    if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(field, `must be a finite number, got ${shown(x)}`);
    return x;
  }

  str(x: unknown, field: string, max: number = this.L.maxNameLength): string {
    if (typeof x !== 'string' || x.length > max) this.fail(field, `must be a string of at most ${max} characters`);
    return x;
  }

  arr(x: unknown, field: string, maxLen: number, multiple = 1): unknown[] {
    if (!Array.isArray(x)) this.fail(field, 'must be an array');
    if (x.length > maxLen) this.fail(field, `more than ${maxLen} items`);
    if (x.length % multiple !== 0) this.fail(field, `length must be a multiple of ${multiple}`);
    return x;
  }

  ints(x: unknown, field: string, maxLen: number, min: number, max: number): number[] {
    const a = this.arr(x, field, maxLen);
    for (let i = 0; i < a.length; i++) this.int(a[i], `${field}[${i}]`, min, max);
    return a as number[];
  }

  header(o: Obj): ReplayHeader {
    if (o.type !== 'header') this.fail('type', 'the first record must be the header');
    if (o.format !== REPLAY_FORMAT) this.fail('header.format', `must be "${REPLAY_FORMAT}" (not a peermap replay file)`);
    const version = this.int(o.version, 'header.version', 1, Number.MAX_SAFE_INTEGER);
    if (version !== REPLAY_VERSION) this.fail('header.version', `${version} is not supported (this reader reads version ${REPLAY_VERSION})`);
    const endUs = this.int(o.endUs, 'header.endUs', 0, this.L.maxTimeUs);
    const typeNames: Record<string, string> = {};
    for (const [k, name] of Object.entries(this.obj(o.typeNames, 'header.typeNames'))) {
      this.int(Number(k), `header.typeNames.${k.slice(0, 20)}`, 0, 255);
      typeNames[k] = this.str(name, `header.typeNames.${k}`);
    }
    const continents = this.arr(o.continents, 'header.continents', 64).map((c, i) => this.str(c, `header.continents[${i}]`));
    let places: ReplayHeader['places'];
    if (o.places !== undefined) {
      const p = this.obj(o.places, 'header.places');
      const lat = this.arr(p.lat, 'header.places.lat', this.L.maxHosts) as number[];
      const lon = this.arr(p.lon, 'header.places.lon', this.L.maxHosts) as number[];
      const continent = this.ints(p.continent, 'header.places.continent', this.L.maxHosts, 0, Math.max(0, continents.length - 1));
      if (lon.length !== lat.length || continent.length !== lat.length) this.fail('header.places', 'lat, lon and continent must have the same length');
      lat.forEach((x, i) => (this.num(x, `header.places.lat[${i}]`), Math.abs(x) <= 90 || this.fail(`header.places.lat[${i}]`, 'must be in [-90, 90]')));
      lon.forEach((x, i) => (this.num(x, `header.places.lon[${i}]`), Math.abs(x) <= 180 || this.fail(`header.places.lon[${i}]`, 'must be in [-180, 180]')));
      places = { lat, lon, continent };
      this.maxHost = lat.length;
    }
    const actions = this.arr(o.actions, 'header.actions', this.L.maxActions).map((a, i) => {
      const act = this.obj(a, `header.actions[${i}]`);
      this.num(act.atS, `header.actions[${i}].atS`);
      this.str(act.do, `header.actions[${i}].do`);
      return act;
    });
    return {
      type: 'header',
      format: REPLAY_FORMAT,
      version,
      scenario: this.str(o.scenario, 'header.scenario'),
      description: this.str(o.description, 'header.description', 10_000),
      seed: this.int(o.seed, 'header.seed', 0, Number.MAX_SAFE_INTEGER),
      strategy: this.str(o.strategy, 'header.strategy'),
      durationS: this.num(o.durationS, 'header.durationS'),
      endUs,
      peers: this.int(o.peers, 'header.peers', 0, this.L.maxPeers),
      everyUs: this.int(o.everyUs, 'header.everyUs', 1, this.L.maxTimeUs),
      keyframeEveryUs: this.int(o.keyframeEveryUs, 'header.keyframeEveryUs', 1, this.L.maxTimeUs),
      typeNames,
      continents,
      ...(places && { places }),
      actions,
    };
  }

  private address(x: unknown, field: string): number {
    return this.int(x, field, 0, this.maxHost > 0 ? this.maxHost - 1 : this.L.maxHosts);
  }

  private links(x: unknown, field: string, width: 2 | 3): number[] {
    const a = this.arr(x, field, this.L.maxLinks * width, width) as number[];
    for (let k = 0; k < a.length; k += width) {
      const lo = this.int(a[k], `${field}[${k}]`, 0, this.n - 1);
      this.int(a[k + 1], `${field}[${k + 1}]`, lo + 1, this.n - 1);
      if (width === 3) this.int(a[k + 2], `${field}[${k + 2}]`, 0, 3);
    }
    return a;
  }

  delta(o: Obj, tUs: number): ReplayDelta {
    const d: ReplayDelta = { type: 'delta', tUs };
    if (o.peers !== undefined) {
      const p = this.arr(o.peers, 'delta.peers', 2 * this.L.maxPeers, 2) as number[];
      for (let k = 0; k < p.length; k += 2) {
        this.int(p[k], `delta.peers[${k}]`, this.n, this.n);
        this.address(p[k + 1], `delta.peers[${k + 1}]`);
        this.n++;
      }
      if (this.n > this.L.maxPeers) this.fail('delta.peers', `more than ${this.L.maxPeers} peers`);
      d.peers = p;
    }
    if (o.up !== undefined) d.up = this.ints(o.up, 'delta.up', this.L.maxPeers, 0, this.n - 1);
    if (o.down !== undefined) d.down = this.ints(o.down, 'delta.down', this.L.maxPeers, 0, this.n - 1);
    if (o.linkUp !== undefined) {
      d.linkUp = this.links(o.linkUp, 'delta.linkUp', 3);
      this.liveLinksUpper += d.linkUp.length / 3;
      if (this.liveLinksUpper > this.L.maxLiveLinks) this.fail('delta.linkUp', `more than ${this.L.maxLiveLinks} links up since the keyframe before it`);
    }
    if (o.linkDown !== undefined) d.linkDown = this.links(o.linkDown, 'delta.linkDown', 2);
    if (o.faults !== undefined) {
      d.faults = this.arr(o.faults, 'delta.faults', this.L.maxFaultsPerRecord).map((f, i): ReplayFault => {
        const x = this.obj(f, `delta.faults[${i}]`);
        return {
          tS: this.num(x.tS, `delta.faults[${i}].tS`),
          event: this.str(x.event, `delta.faults[${i}].event`),
          name: this.str(x.name, `delta.faults[${i}].name`),
          hosts: this.int(x.hosts, `delta.faults[${i}].hosts`, 0, this.L.maxHosts),
          ...(x.otherHosts !== undefined && { otherHosts: this.int(x.otherHosts, `delta.faults[${i}].otherHosts`, 0, this.L.maxHosts) }),
        };
      });
    }
    if (o.partition !== undefined) {
      const x = this.obj(o.partition, 'delta.partition');
      d.partition = {
        names: (this.arr(x.names, 'delta.partition.names', 32) as unknown[]).map((n, i) => this.str(n, `delta.partition.names[${i}]`)),
        a: this.arr(x.a, 'delta.partition.a', this.L.maxHosts).map((h, i) => this.address(h, `delta.partition.a[${i}]`)),
        b: this.arr(x.b, 'delta.partition.b', this.L.maxHosts).map((h, i) => this.address(h, `delta.partition.b[${i}]`)),
      };
    }
    if (o.samples !== undefined) {
      d.samples = this.arr(o.samples, 'delta.samples', this.L.maxSamplesPerRecord).map((s, i) => {
        const x = this.obj(s, `delta.samples[${i}]`);
        const keys = Object.keys(x);
        if (keys.length > 1000) this.fail(`delta.samples[${i}]`, 'more than 1000 series');
        this.num(x.tS, `delta.samples[${i}].tS`);
        // Non-numbers (null when a figure is undefined) are dropped: the charts draw numbers only.
        const out: Record<string, number> = {};
        for (const k of keys) if (typeof x[k] === 'number' && Number.isFinite(x[k])) out[this.str(k, `delta.samples[${i}] key`)] = x[k] as number;
        return out;
      });
    }
    if (o.msgs !== undefined) {
      const m = this.obj(o.msgs, 'delta.msgs');
      const out: Record<string, number> = {};
      for (const [k, n] of Object.entries(m)) {
        this.int(Number(k), `delta.msgs.${k.slice(0, 20)}`, 0, 255);
        out[k] = this.int(n, `delta.msgs.${k}`, 0, Number.MAX_SAFE_INTEGER);
      }
      d.msgs = out;
    }
    return d;
  }

  key(o: Obj, tUs: number): ReplayKey {
    const addresses = this.arr(o.addresses, 'key.addresses', this.L.maxPeers) as number[];
    if (addresses.length !== this.n) this.fail('key.addresses', `has ${addresses.length} peers, the deltas before it ${this.n}`);
    addresses.forEach((a, i) => this.address(a, `key.addresses[${i}]`));
    const state = this.ints(o.state, 'key.state', this.L.maxPeers, 0, 2);
    if (state.length !== this.n) this.fail('key.state', `has ${state.length} peers, expected ${this.n}`);
    const edges = this.links(o.edges, 'key.edges', 3);
    this.liveLinksUpper = edges.length / 3;
    return { type: 'key', tUs, addresses, state, edges };
  }
}
