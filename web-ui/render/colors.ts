/**
 * Colours shared by the canvas views, the charts and the legends: one
 * scheme, so that what is shown together never shares a colour. Strategies
 * (chart lines, lane borders), peer states, regions (peers coloured by
 * continent, beside the down and waiting states) and message families
 * (dots in flight) are categorical palettes checked by `colors.test.ts`
 * (CIEDE2000 between every pair of a role, regions against strategies, and
 * again under simulated deuteranopia).
 */

export const BACKGROUND = '#0d1117';
export const EDGE = 'rgba(148, 163, 184, 0.28)';
export const EDGE_SELECTED = 'rgba(250, 204, 21, 0.9)';
/** The world map: sea, land and coast (quiet, under every peer colour). */
export const OCEAN = '#0b1320';
export const LAND = '#1c2737';
export const COASTLINE = 'rgba(148, 163, 184, 0.45)';
export const WAITING = '#3f4652';
export const DOWN = '#ef4444';
export const UP = '#38bdf8';

/** Continents (colour by region): kept clear of the strategy colours and of down / waiting. */
export const CONTINENT_COLORS: Record<string, string> = {
  Africa: '#a16207',
  Eurasia: '#22d3ee',
  'North America': '#ec4899',
  Oceania: '#fde047',
  'South America': '#86efac',
};
export const UNPLACED = '#94a3b8';

export const STRATEGY_COLORS: Record<string, string> = {
  globalmap: '#3b82f6',
  kademlia: '#f59e0b',
  random: '#d8b4fe',
  none: '#94a3b8',
  flood: '#94a3b8',
};
const STRATEGY_FALLBACK = ['#3b82f6', '#f59e0b', '#d8b4fe', '#94a3b8'];

/** A continent's colour; UNPLACED for a name the table does not own (a file may name "constructor"). */
export function continentColor(name: string | undefined): string {
  return name !== undefined && Object.hasOwn(CONTINENT_COLORS, name) ? CONTINENT_COLORS[name] : UNPLACED;
}

export function strategyColor(s: string, i = 0): string {
  // Own keys only: a strategy named from a file ("constructor", "toString") must not read Object.prototype.
  return Object.hasOwn(STRATEGY_COLORS, s) ? STRATEGY_COLORS[s] : STRATEGY_FALLBACK[i % STRATEGY_FALLBACK.length];
}

/**
 * Message types grouped into families, one colour each: a run shows up to
 * twenty types at once and no twenty colours stay apart as 3-px dots on a
 * dark canvas, while nine can (the legend names the types of each family).
 */
export const MESSAGE_FAMILIES: readonly { family: string; color: string; types: readonly string[] }[] = [
  { family: 'gossip', color: '#f8fafc', types: ['gm-events'] },
  { family: 'directed', color: '#f0abfc', types: ['gm-directed'] },
  { family: 'map sync', color: '#14b8a6', types: ['gm-sync-request', 'gm-sync'] },
  { family: 'addresses', color: '#84cc16', types: ['get-addr', 'addr'] },
  { family: 'handshake', color: '#60a5fa', types: ['version', 'verack'] },
  { family: 'keep-alive', color: '#6366f1', types: ['ping', 'pong'] },
  { family: 'kademlia', color: '#fca5a5', types: ['kad-find-node', 'kad-nodes', 'kad-ping', 'kad-pong'] },
  { family: 'blocks', color: '#b45309', types: ['inv', 'get-data', 'block'] },
  { family: 'other', color: '#f43f5e', types: [] },
];
const OTHER = MESSAGE_FAMILIES[MESSAGE_FAMILIES.length - 1];
const FAMILY_BY_TYPE = new Map(MESSAGE_FAMILIES.flatMap((f) => f.types.map((t) => [t, f] as const)));

/** The family of a message type by its name (unknown or unnamed types: 'other'). */
export function messageFamily(typeName: string | undefined): (typeof MESSAGE_FAMILIES)[number] {
  return (typeName !== undefined && FAMILY_BY_TYPE.get(typeName)) || OTHER;
}

/** The colour of a message type by its name (numbers differ between protocols, names do not). */
export function messageColor(typeName: string | undefined): string {
  return messageFamily(typeName).color;
}

/** Partitions: the two sides' shading and the links that cross the cut (dashed). */
export const SIDE_A_SHADE = 'rgba(250, 204, 21, 0.2)';
export const SIDE_B_SHADE = 'rgba(244, 114, 182, 0.2)';
export const CUT_LINK = 'rgba(248, 113, 113, 0.9)';

/**
 * A Kademlia lookup drawn over the topology: its hop edges coloured by round
 * (round 1, 2, …; the last colour for every later round), the inspected peer,
 * its result and the true closest peer ringed.
 */
export const LOOKUP_ROUND_COLORS: readonly string[] = ['#fde68a', '#fb923c', '#f472b6', '#a78bfa', '#34d399', '#f1f5f9'];

export function lookupRoundColor(round: number): string {
  return LOOKUP_ROUND_COLORS[Math.min(Math.max(round, 1), LOOKUP_ROUND_COLORS.length) - 1];
}

/**
 * A followed gossip wave, peers ringed by hop (index = hop; the last for any
 * hop beyond): white at the origin, then yellow, green, orange, indigo,
 * orchid, pink — neighbouring hops far apart (also under deuteranopia), none
 * like an up, down or waiting peer. A tree edge takes the colour of the peer it reached.
 */
export const WAVE_HOP_COLORS: readonly string[] = ['#ffffff', '#fde047', '#16a34a', '#fb923c', '#6366f1', '#e879f9', '#fda4af'];
/** Laid over the topology while a wave is shown, so the peers it has not reached recede. */
export const WAVE_VEIL = 'rgba(13, 17, 23, 0.6)';

export function waveHopColor(hop: number): string {
  return WAVE_HOP_COLORS[Math.max(0, Math.min(hop, WAVE_HOP_COLORS.length - 1))];
}
