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
    // Force layouts side by side; world maps are wide: one per row where the window is tall enough (styles.css).
    <div className={`side-by-side mode-${options.mode}`} style={{ ['--lanes' as string]: Math.min(3, strategies.length) }}>
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
              title={`${s}${stats}`}
            />
          </div>
        );
      })}
    </div>
  );
}
