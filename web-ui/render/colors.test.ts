import { lab } from 'd3-color';
import { describe, expect, it } from 'vitest';
import { deltaE2000, deltaE2000Lab, deuteranopia } from './color-distance.ts';
import { BACKGROUND, CONTINENT_COLORS, LAND, LOOKUP_ROUND_COLORS, lookupRoundColor, OCEAN, DOWN, MESSAGE_FAMILIES, messageColor, STRATEGY_COLORS, UP, WAITING, WAVE_HOP_COLORS } from './colors.ts';

/** CIEDE2000 ≈ 2 is a just-noticeable difference between large patches; dots of 3–8 px and thin lines need far more. */
const WITHIN_ROLE_MIN_DE = 25;
/** Nine message families cannot all be 25 apart; 18 still tells 3-px dots apart on the dark canvas. */
const MESSAGE_MIN_DE = 18;
/** Regions against strategies, down and waiting (never the same colour meaning two things on one screen). */
const ACROSS_ROLES_MIN_DE = 15;
/** Under simulated deuteranopia (about 5% of men), pairs must stay apart, less so. */
const DEUTERANOPIA_MIN_DE = 10;
/** A gossip wave's hops are an ordered ramp: only neighbouring hops need to differ this much. */
const WAVE_STEP_MIN_DE = 20;
/** Every colour must stand out from the canvas background. */
const BACKGROUND_MIN_DE = 20;

const strategies = [STRATEGY_COLORS.globalmap, STRATEGY_COLORS.kademlia, STRATEGY_COLORS.random];
const regions = Object.values(CONTINENT_COLORS);
const messages = MESSAGE_FAMILIES.map((f) => f.color);

function pairs<T>(xs: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) out.push([xs[i], xs[j]]);
  return out;
}
const minWithin = (xs: readonly string[], see = (c: string) => c) => Math.min(...pairs(xs).map(([a, b]) => deltaE2000(see(a), see(b))));
const minAcross = (xs: readonly string[], ys: readonly string[]) => Math.min(...xs.flatMap((x) => ys.map((y) => deltaE2000(x, y))));

describe('colour scheme', () => {
  it('computes CIEDE2000 as published (Sharma, Wu, Dalal 2005 test pairs)', () => {
    const L = (l: number, a: number, b: number) => ({ l, a, b });
    expect(deltaE2000Lab(L(50, 2.6772, -79.7751), L(50, 0, -82.7485))).toBeCloseTo(2.0425, 4);
    expect(deltaE2000Lab(L(50, 2.5, 0), L(73, 25, -18))).toBeCloseTo(27.1492, 4);
    expect(deltaE2000Lab(L(60.2574, -34.0099, 36.2677), L(60.4626, -34.1751, 39.4387))).toBeCloseTo(1.2644, 4);
    expect(deltaE2000Lab(L(2.0776, 0.0795, -1.135), L(0.9033, -0.0636, -0.5514))).toBeCloseTo(0.9082, 4);
    expect(deltaE2000('#3b82f6', '#3b82f6')).toBe(0);
  });

  it('keeps the strategies, the states and the regions apart within each role', () => {
    expect(minWithin(strategies)).toBeGreaterThanOrEqual(WITHIN_ROLE_MIN_DE);
    expect(minWithin([UP, DOWN, WAITING])).toBeGreaterThanOrEqual(WITHIN_ROLE_MIN_DE);
    expect(minWithin(regions)).toBeGreaterThanOrEqual(WITHIN_ROLE_MIN_DE);
    expect(minWithin(messages)).toBeGreaterThanOrEqual(MESSAGE_MIN_DE);
  });

  it('never gives a region a strategy colour, nor the down / waiting colour shown beside regions', () => {
    expect(minAcross(regions, strategies)).toBeGreaterThanOrEqual(ACROSS_ROLES_MIN_DE);
    expect(minAcross(regions, [DOWN, WAITING])).toBeGreaterThanOrEqual(ACROSS_ROLES_MIN_DE);
  });

  it('stays apart for a viewer with deuteranopia', () => {
    for (const role of [strategies, [UP, DOWN, WAITING], regions, messages]) {
      expect(minWithin(role, deuteranopia)).toBeGreaterThanOrEqual(DEUTERANOPIA_MIN_DE);
    }
  });

  it('stands out from the background', () => {
    expect(minAcross([...strategies, UP, DOWN, ...regions, ...messages], [BACKGROUND, OCEAN, LAND])).toBeGreaterThanOrEqual(BACKGROUND_MIN_DE);
    // Peers not started yet are drawn on the map too, fainter but visible over sea and land.
    expect(minAcross([WAITING], [OCEAN, LAND])).toBeGreaterThanOrEqual(BACKGROUND_MIN_DE / 2);
    expect(deltaE2000(LAND, OCEAN)).toBeGreaterThanOrEqual(5);
    expect(lab(BACKGROUND).l).toBeLessThan(10);
  });

  it('colours messages by type name: the pairs once confused now differ, every named type has a family', () => {
    expect(messageColor('gm-events')).not.toBe(messageColor('pong'));
    expect(deltaE2000(messageColor('gm-events'), messageColor('pong'))).toBeGreaterThanOrEqual(MESSAGE_MIN_DE);
    const named = MESSAGE_FAMILIES.flatMap((f) => f.types);
    expect(new Set(named).size).toBe(named.length);
    expect(messageColor(undefined)).toBe(messageColor('type-99'));
  });

  it('colours the rounds of a Kademlia lookup apart from each other and from the canvas (later rounds share the last colour)', () => {
    expect(minWithin(LOOKUP_ROUND_COLORS)).toBeGreaterThanOrEqual(MESSAGE_MIN_DE);
    expect(minWithin(LOOKUP_ROUND_COLORS, deuteranopia)).toBeGreaterThanOrEqual(DEUTERANOPIA_MIN_DE);
    expect(minAcross(LOOKUP_ROUND_COLORS, [BACKGROUND, OCEAN, LAND])).toBeGreaterThanOrEqual(BACKGROUND_MIN_DE);
    expect(lookupRoundColor(1)).toBe(LOOKUP_ROUND_COLORS[0]);
    expect(lookupRoundColor(99)).toBe(LOOKUP_ROUND_COLORS[LOOKUP_ROUND_COLORS.length - 1]);
  });

  it("keeps a gossip wave's neighbouring hops apart (also under deuteranopia), off the background and unlike the peer states", () => {
    const steps = WAVE_HOP_COLORS.slice(1).map((c, i) => [WAVE_HOP_COLORS[i], c] as const);
    expect(Math.min(...steps.map(([a, b]) => deltaE2000(a, b)))).toBeGreaterThanOrEqual(WAVE_STEP_MIN_DE);
    expect(Math.min(...steps.map(([a, b]) => deltaE2000(deuteranopia(a), deuteranopia(b))))).toBeGreaterThanOrEqual(DEUTERANOPIA_MIN_DE);
    expect(minAcross(WAVE_HOP_COLORS, [BACKGROUND, OCEAN, LAND])).toBeGreaterThanOrEqual(BACKGROUND_MIN_DE);
    expect(minAcross(WAVE_HOP_COLORS, [UP, DOWN, WAITING])).toBeGreaterThanOrEqual(ACROSS_ROLES_MIN_DE);
  });
});
