import type { LoadInfo } from '../worker/protocol.ts';
import { CONTINENT_COLORS, DOWN, messageFamily, UP, WAITING } from '../render/colors.ts';

/** What the audience is looking at, in plain words, with the colour legend. */
export function ClassroomPanel({ info, typesSeen }: { info: LoadInfo | undefined; typesSeen: number[] }) {
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
      <h3>Legend</h3>
      <ul className="legend-list">
        <li>
          <i style={{ background: UP }} /> peer up (colour by state)
        </li>
        <li>
          <i style={{ background: WAITING }} /> not started yet (world map only)
        </li>
        <li>
          <i style={{ background: DOWN }} /> down (crashed or switched off)
        </li>
        {info?.places &&
          Object.entries(CONTINENT_COLORS).map(([c, col]) => (
            <li key={c}>
              <i style={{ background: col }} /> {c} (colour by region)
            </li>
          ))}
        {messageLegend(info, typesSeen).map(({ family, color, names }) => (
          <li key={family}>
            <i className="dot" style={{ background: color }} /> message: {names.join(', ')}
          </li>
        ))}
      </ul>
      <p className="hint">Bigger dots have more neighbours. Step event = one thing happens; step round = {info?.roundS ?? 1} s, one gossip round.</p>
    </section>
  );
}

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
