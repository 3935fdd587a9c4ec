import { describe, expect, it } from 'vitest';
import { REPLAY_FORMAT, REPLAY_LIMITS, REPLAY_VERSION } from './format.ts';
import { parseReplayText, ReplayFormatError } from './reader.ts';

/** A minimal valid replay: 3 peers, one link, a keyframe, an end. */
function records(): Record<string, unknown>[] {
  return [
    { type: 'header', format: REPLAY_FORMAT, version: REPLAY_VERSION, scenario: 's', description: '', seed: 1, strategy: 'globalmap', durationS: 10, endUs: 10e6, peers: 3, everyUs: 1e6, keyframeEveryUs: 5e6, typeNames: { 3: 'ping' }, continents: ['Eurasia'], places: { lat: [1, 2, 3], lon: [4, 5, 6], continent: [0, 0, 0] }, actions: [{ atS: 5, do: 'crash', peers: [2] }] },
    { type: 'delta', tUs: 0, peers: [0, 0, 1, 1, 2, 2], up: [0, 1, 2], linkUp: [0, 1, 1], samples: [{ tS: 0, messages: 0 }], msgs: { 3: 4 } },
    { type: 'key', tUs: 0, addresses: [0, 1, 2], state: [1, 1, 1], edges: [0, 1, 1] },
    { type: 'delta', tUs: 5e6, down: [2], linkDown: [0, 1], faults: [{ tS: 5, event: 'outage', name: 'x', hosts: 1 }] },
    { type: 'end', tUs: 10e6, traceHash: 'abc', events: 12, endReason: 'completed' },
  ];
}

const text = (rs: unknown[]) => rs.map((r) => JSON.stringify(r)).join('\n');

/** The error the reader throws for this file, or undefined if it reads. */
function errorOf(rs: unknown[] | string): ReplayFormatError | undefined {
  try {
    parseReplayText(typeof rs === 'string' ? rs : text(rs));
    return undefined;
  } catch (e) {
    if (e instanceof ReplayFormatError) return e;
    throw e; // anything else is a bug: the reader must be total
  }
}

function mutate(i: number, patch: Record<string, unknown>): unknown[] {
  const rs = records();
  rs[i] = { ...rs[i], ...patch };
  return rs;
}

describe('replay reader (hostile files)', () => {
  it('reads a valid file', () => {
    const d = parseReplayText(text(records()));
    expect(d.header.peers).toBe(3);
    expect(d.deltas).toHaveLength(2);
    expect(d.keys).toHaveLength(1);
    expect(d.end?.traceHash).toBe('abc');
  });

  it.each([
    ['not JSON', 'line 1', '{"type":'],
    ['empty file', 'header', ''],
    ['not a replay', 'header.format', text(mutate(0, { format: 'other' }))],
    ['a newer version', 'header.version', text(mutate(0, { version: REPLAY_VERSION + 1 }))],
    ['a fractional seed', 'header.seed', text(mutate(0, { seed: 1.5 }))],
    ['latitude out of range', 'header.places.lat[1]', text(mutate(0, { places: { lat: [1, 200, 3], lon: [4, 5, 6], continent: [0, 0, 0] } }))],
    ['continent index past the list', 'header.places.continent[0]', text(mutate(0, { places: { lat: [1, 2, 3], lon: [4, 5, 6], continent: [7, 0, 0] } }))],
    ['a peer index that skips ahead', 'delta.peers[2]', text(mutate(1, { peers: [0, 0, 5, 1] }))],
    ['an address past the placed hosts', 'delta.peers[5]', text(mutate(1, { peers: [0, 0, 1, 1, 2, 99] }))],
    ['a link to an unknown peer', 'delta.linkUp[1]', text(mutate(1, { linkUp: [0, 9, 1] }))],
    ['a link written high-low', 'delta.linkUp[1]', text(mutate(1, { linkUp: [1, 0, 1] }))],
    ['a bad direction code', 'delta.linkUp[2]', text(mutate(1, { linkUp: [0, 1, 7] }))],
    ['an odd link list', 'delta.linkDown', text(mutate(3, { linkDown: [0, 1, 2] }))],
    ['an up peer that does not exist', 'delta.up[0]', text(mutate(1, { up: [3] }))],
    ['a message type past 255', 'delta.msgs.300', text(mutate(1, { msgs: { 300: 1 } }))],
    ['a negative message count', 'delta.msgs.3', text(mutate(1, { msgs: { 3: -1 } }))],
    ['a partition side host past the placed hosts', 'delta.partition.a[1]', text(mutate(3, { partition: { names: ['cut'], a: [0, 9], b: [1] } }))],
    ['a partition name that is not a string', 'delta.partition.names[0]', text(mutate(3, { partition: { names: [7], a: [0], b: [1] } }))],
    ['a partition without sides', 'delta.partition.b', text(mutate(3, { partition: { names: ['cut'], a: [0] } }))],
    ['a keyframe of the wrong size', 'key.addresses', text(mutate(2, { addresses: [0, 1] }))],
    ['a state code past down', 'key.state[0]', text(mutate(2, { state: [9, 1, 1] }))],
    ['time going backwards', 'delta.tUs', text(mutate(3, { tUs: -1 }))],
    ['time past the end of the run', 'delta.tUs', text(mutate(3, { tUs: 11e6 }))],
    ['an unknown record type', 'type', text(mutate(3, { type: 'boom' }))],
    ['a record type that is an object whose toString is a number', 'type', text(mutate(3, { type: { toString: 1 } }))],
    ['a time nested 100,000 arrays deep', 'delta.tUs', [text(records().slice(0, 3)), `{"type":"delta","tUs":${'['.repeat(100_000)}${']'.repeat(100_000)}}`].join('\n')],
    ['a record after the end', 'record', text([...records(), records()[3]])],
    ['no keyframe', 'key', text(records().filter((r) => r.type !== 'key'))],
  ])('%s: a ReplayFormatError naming %s', (_what, field, file) => {
    const e = errorOf(file);
    expect(e, 'must be refused').toBeInstanceOf(ReplayFormatError);
    expect(e!.field).toContain(field);
    expect(e!.message).toContain(field);
  });

  it("bounds the player's live links: a keyframe's plus the link-ups since it (a Map past 2^24 entries throws mid-play)", () => {
    const limits = { ...REPLAY_LIMITS, maxLiveLinks: 4 };
    const rs = records();
    // Keyframe at 0 holds 1 link; 3 more link-ups fit, a 4th does not.
    rs.splice(3, 0, { type: 'delta', tUs: 1e6, linkUp: [0, 2, 1, 1, 2, 1] }, { type: 'delta', tUs: 2e6, linkUp: [0, 1, 1] });
    expect(() => parseReplayText(text(rs), limits)).not.toThrow();
    rs.splice(5, 0, { type: 'delta', tUs: 3e6, linkUp: [1, 2, 1] });
    expect(() => parseReplayText(text(rs), limits)).toThrow(/delta\.linkUp: more than 4 links up since the keyframe before it/);
    // A keyframe starts the count again.
    rs.splice(5, 0, { type: 'key', tUs: 2e6, addresses: [0, 1, 2], state: [1, 1, 1], edges: [0, 1, 1] });
    expect(() => parseReplayText(text(rs), limits)).not.toThrow();
  });

  it('bounds sizes: a huge list is refused by its length before its items are read', () => {
    const e = errorOf(text(mutate(0, { continents: new Array(100).fill('Eurasia') })));
    expect(e?.field).toContain('header.continents');
    expect(e?.problem).toContain('more than');
  });

  it('is total on random garbage: every line either parses or throws a ReplayFormatError', () => {
    // A fixed pseudo-random sequence (no ambient randomness in tests that assert behaviour).
    let x = 12345;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
    const base = text(records());
    for (let trial = 0; trial < 300; trial++) {
      const chars = [...base];
      for (let k = 0; k < 3; k++) chars[next() % chars.length] = String.fromCharCode(32 + (next() % 90));
      errorOf(chars.join(''));
    }
  });
});
