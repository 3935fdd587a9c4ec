import type { FrameStore } from '../client/store.ts';
import type { PaintOptions } from '../render/painter.ts';
import { strategyColor } from '../render/colors.ts';
import { TopologyView } from './TopologyView.tsx';

export interface SideBySideProps {
  store: FrameStore;
  strategies: string[];
  options: PaintOptions;
  selectedLane: number;
  onSelect(lane: number, peer: number): void;
}

/** Every lane (one strategy each, same scenario and seed, lockstep time) next to each other. */
export function SideBySide({ store, strategies, options, selectedLane, onSelect }: SideBySideProps) {
  const last = store.series.map((s) => s[s.length - 1]);
  return (
    // World maps are wide: one per row; force layouts side by side.
    <div className="side-by-side" style={{ gridTemplateColumns: `repeat(${options.mode === 'map' ? 1 : Math.min(3, strategies.length)}, 1fr)` }}>
      {strategies.map((s, i) => {
        const p = last[i];
        const stats = p ? ` · LCC ${(p.lccFraction ?? 0).toFixed(2)}${p.coverageMean !== undefined ? ` · coverage ${(p.coverageMean * 100).toFixed(0)}%` : ''}` : '';
        return (
          <div key={s + i} className="lane" style={{ borderTopColor: strategyColor(s, i) }}>
            <TopologyView
              store={store}
              lane={i}
              options={{ ...options, selected: selectedLane === i ? options.selected : -1 }}
              onSelect={(peer) => onSelect(i, peer)}
              height={options.mode === 'map' ? 300 : 360}
              title={`${s}${stats}`}
            />
          </div>
        );
      })}
    </div>
  );
}
