import { memo } from 'react';
import type { LoadInfo } from '../worker/protocol.ts';
import type { ColorBy } from '../render/painter.ts';
import { CONTINENT_COLORS, CUT_LINK, DOWN, messageFamily, SIDE_A_SHADE, SIDE_B_SHADE, UP, WAITING } from '../render/colors.ts';

/** What the audience is looking at, in plain words (the colours are in the Legend beside it). */
export const ClassroomPanel = memo(function ClassroomPanel({ info }: { info: LoadInfo | undefined }) {
  return (
    <section className="panel classroom" data-testid="classroom-panel">
      <h2>What you are seeing</h2>
      <p>
        Each dot is a computer (a <b>peer</b>) running the real protocol code. A line is a connection the peer chose to keep as one of its few
        <b> neighbours</b>. Nobody has a list of everyone: peers learn about the network only from what their neighbours tell them.
      </p>
      <p>
        The small moving dots are <b>messages</b>. When a peer makes or loses a link it tells its neighbours, who pass the news on (gossip) a few
        hops further. Little by little every peer builds a <b>map</b> of the whole network — the coverage chart shows how much of it peers know.
      </p>
      <p>
        With its map a peer picks neighbours whose own neighbours overlap least with its others, so the network stays well connected. Try the
        fault buttons: cut a continent off, or switch a region off, and watch the map notice and the links rearrange.
      </p>
      <p className="hint">Bigger dots have more neighbours. Step event = one thing happens; step round = {info?.roundS ?? 1} s, one gossip round.</p>
    </section>
  );
});

export interface LegendProps {
  info: LoadInfo | undefined;
  colorBy: ColorBy;
  /** Messages in flight are drawn: name their families. */
  messages: boolean;
  typesSeen: number[];
  /** A partition is in force: name its shading and its cut links. */
  cut?: boolean;
}

/** The colours on the canvas, in every mode: peer states or regions (as coloured), and the message families seen. */
export const Legend = memo(function Legend({ info, colorBy, messages, typesSeen, cut }: LegendProps) {
  const byRegion = colorBy === 'region' && !!info?.places;
  return (
    <section className="panel legend-panel" data-testid="legend">
      <h3>Legend</h3>
      <ul className="legend-list">
        {byRegion ? (
          Object.entries(CONTINENT_COLORS).map(([c, col]) => (
            <li key={c}>
              <i style={{ background: col }} /> {c}
            </li>
          ))
        ) : (
          <>
            <li>
              <i style={{ background: UP }} /> peer up
            </li>
            <li>
              <i style={{ background: WAITING }} /> not started yet
            </li>
            <li>
              <i style={{ background: DOWN }} /> down (crashed, switched off)
            </li>
          </>
        )}
        {cut && (
          <>
            <li>
              <i className="swatch" style={{ background: SIDE_A_SHADE }} />
              <i className="swatch" style={{ background: SIDE_B_SHADE }} /> the two sides of a cut
            </li>
            <li>
              <i className="dash" style={{ borderColor: CUT_LINK }} /> link across the cut
            </li>
          </>
        )}
        {messages &&
          messageLegend(info, typesSeen).map(({ family, color, names }) => (
            <li key={family} title={names.join(', ')}>
              <i className="dot" style={{ background: color }} /> {family}: {names.join(', ')}
            </li>
          ))}
      </ul>
    </section>
  );
});

/** One legend entry per message family seen (its colour), naming the types seen in it. */
function messageLegend(info: LoadInfo | undefined, typesSeen: number[]): { family: string; color: string; names: string[] }[] {
  const byFamily = new Map<string, { family: string; color: string; names: string[] }>();
  for (const t of typesSeen) {
    const name = info?.typeNames[t];
    const f = messageFamily(name);
    let entry = byFamily.get(f.family);
    if (!entry) byFamily.set(f.family, (entry = { family: f.family, color: f.color, names: [] }));
    entry.names.push(name ?? `type ${t}`);
  }
  return [...byFamily.values()];
}
