import { useState } from 'react';
import { findPeers, type SearchPlaces } from '../client/peer-search.ts';

export interface PeerSearchProps {
  /** Host address of each peer of the selected lane (the latest frame's). */
  addresses: Int32Array | undefined;
  places: SearchPlaces | undefined;
  onSelect(peer: number): void;
}

/** Find a peer by its number or its city; a hit opens it in the inspector (and marks it on the views). */
export function PeerSearch({ addresses, places, onSelect }: PeerSearchProps) {
  const [query, setQuery] = useState('');
  const hits = addresses ? findPeers(query, addresses, places) : [];
  return (
    <section className="panel peer-search">
      <h2>Find a peer</h2>
      <input
        data-testid="peer-search"
        type="search"
        placeholder="number or city"
        value={query}
        maxLength={64}
        disabled={!addresses}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && hits.length > 0) onSelect(hits[0].peer);
        }}
      />
      {query.trim() !== '' && (
        <ul data-testid="peer-search-hits" data-count={hits.length}>
          {hits.length === 0 && <li className="hint">no peer</li>}
          {hits.map((h) => (
            <li key={h.peer}>
              <button className="link" data-peer={h.peer} onClick={() => onSelect(h.peer)}>
                {h.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
