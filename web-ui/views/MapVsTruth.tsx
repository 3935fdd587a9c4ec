import type { MapTruth } from '../worker/protocol.ts';
import { MAP_HELD, MAP_MISSING, MAP_STALE } from './map-overlay.ts';

export interface MapVsTruthProps {
  map: MapTruth;
  drawing: boolean;
  onDraw(on: boolean): void;
}

/**
 * The inspected peer's map against the true overlay: the links it holds that
 * exist, the true links it misses, and what it still believes that is no
 * longer so (links gone, peers down). The counts are data attributes too.
 */
export function MapVsTruth({ map, drawing, onDraw }: MapVsTruthProps) {
  const held = map.held.length / 2;
  const missing = map.missing.length / 2;
  const staleLinks = map.stale.length / 2;
  const dead = map.deadKnown.length;
  return (
    <div
      className="map-truth"
      data-testid="map-truth"
      data-peer={map.peer}
      data-held={held}
      data-missing={missing}
      data-stale={staleLinks + dead}
      data-stale-links={staleLinks}
      data-dead-known={dead}
      data-true-links={map.trueLinks}
    >
      <h3>its map against the truth</h3>
      <dl>
        <dt style={{ color: MAP_HELD }}>true links held</dt>
        <dd>
          {held} of {map.trueLinks}
        </dd>
        <dt style={{ color: MAP_MISSING }}>missing</dt>
        <dd>{missing}</dd>
        <dt style={{ color: MAP_STALE }}>stale</dt>
        <dd title="links its map holds that are gone, and peers it still knows that are down">
          {staleLinks} links · {dead} dead peers
        </dd>
      </dl>
      <button data-testid="draw-map" aria-pressed={drawing} onClick={() => onDraw(!drawing)}>
        {drawing ? 'hide its map' : 'draw its map'}
      </button>
    </div>
  );
}
