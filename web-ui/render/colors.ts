/** Colours shared by the canvas views, the charts and the legends. */

export const BACKGROUND = '#0d1117';
export const EDGE = 'rgba(148, 163, 184, 0.28)';
export const EDGE_SELECTED = 'rgba(250, 204, 21, 0.9)';
export const WAITING = '#3f4652';
export const DOWN = '#ef4444';
export const UP = '#38bdf8';

export const CONTINENT_COLORS: Record<string, string> = {
  Africa: '#f59e0b',
  Eurasia: '#3b82f6',
  'North America': '#a855f7',
  Oceania: '#14b8a6',
  'South America': '#22c55e',
};
export const UNPLACED = '#94a3b8';

export const STRATEGY_COLORS: Record<string, string> = {
  globalmap: '#3b82f6',
  kademlia: '#f59e0b',
  random: '#a855f7',
  none: '#94a3b8',
  flood: '#94a3b8',
};

export function strategyColor(s: string, i = 0): string {
  return STRATEGY_COLORS[s] ?? ['#3b82f6', '#f59e0b', '#a855f7', '#22c55e', '#ef4444'][i % 5];
}

const MESSAGE_PALETTE = ['#facc15', '#fb7185', '#34d399', '#60a5fa', '#f472b6', '#a3e635', '#fdba74', '#c4b5fd'];

/** A stable colour per message type. */
export function messageColor(type: number): string {
  return MESSAGE_PALETTE[(type * 5) % MESSAGE_PALETTE.length];
}

/** Partitions: the two sides' shading and the links that cross the cut (dashed). */
export const SIDE_A_SHADE = 'rgba(250, 204, 21, 0.2)';
export const SIDE_B_SHADE = 'rgba(244, 114, 182, 0.2)';
export const CUT_LINK = 'rgba(248, 113, 113, 0.9)';
