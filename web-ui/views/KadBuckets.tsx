import type { ReactNode } from 'react';
import type { KadBucketView, KadView } from '../worker/protocol.ts';

export interface KadBucketsProps {
  view: KadView;
  onSelect(peer: number): void;
}

const KAD_BUCKETS = 160;

const ago = (s: number | null) => (s === null ? '–' : s < 60 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);

/** "buckets a–b empty" between the non-empty ones (the table holds peers only at about log2(n) distances). */
function Gap({ from, to }: { from: number; to: number }) {
  if (from < to) return null;
  return (
    <li className="hint kad-gap">
      {from === to ? `bucket ${from}` : `buckets ${from}–${to}`} empty
    </li>
  );
}

function Bucket({ b, k, onSelect }: { b: KadBucketView; k: number; onSelect(peer: number): void }) {
  const dead = b.contacts.filter((c) => !c.live).length;
  return (
    <li data-testid="kad-bucket" data-bucket={b.bucket} data-count={b.contacts.length}>
      <details>
        <summary title={`peers at XOR distance [2^${b.bucket}, 2^${b.bucket + 1}): they share the first ${b.sharedPrefixBits} bits of its id`}>
          bucket {b.bucket} <meter min={0} max={k} value={b.contacts.length} /> {b.contacts.length}/{k}{' '}
          <span className="hint">({b.sharedPrefixBits} shared bits{b.replacements > 0 && `, +${b.replacements} waiting`})</span>
          {dead > 0 && <span className="down"> · {dead} down</span>}
        </summary>
        <table className="small">
          <thead>
            <tr>
              <th>peer</th>
              <th>id</th>
              <th>city</th>
              <th title="since it last sent this peer a Kademlia message">heard</th>
              <th>now</th>
            </tr>
          </thead>
          <tbody>
            {b.contacts.map((c) => (
              <tr key={c.num}>
                <td>{c.peer >= 0 ? <button className="chip" onClick={() => onSelect(c.peer)}>{c.peer}</button> : `#${c.num}`}</td>
                <td className="mono">{c.id}</td>
                <td>{c.city}</td>
                <td>{ago(c.seenAgoS)}</td>
                <td className={c.live ? 'up' : 'down'}>{c.live ? 'up' : 'down'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </li>
  );
}

/**
 * A Kademlia peer's k-buckets, farthest first: per non-empty bucket its
 * count against k (click to list the contacts: id prefix, city, how long
 * since it was heard from, up or down now); runs of empty buckets collapsed.
 */
export function KadBuckets({ view, onSelect }: KadBucketsProps) {
  const rows: ReactNode[] = [];
  let next = KAD_BUCKETS - 1;
  for (const b of view.buckets) {
    rows.push(<Gap key={`gap${next}`} from={next} to={b.bucket + 1} />);
    rows.push(<Bucket key={b.bucket} b={b} k={view.k} onSelect={onSelect} />);
    next = b.bucket - 1;
  }
  if (next >= 0) rows.push(<Gap key={`gap${next}`} from={next} to={0} />);
  return (
    <div className="kad-buckets" data-testid="kad-buckets" data-peer={view.peer} data-size={view.size} data-nonempty={view.buckets.length} data-k={view.k}>
      <h3>
        k-buckets <span className="hint">(id <span className="mono">{view.id}…</span>, {view.size} contacts in {view.buckets.length} buckets, k = {view.k})</span>
      </h3>
      <ul className="kad-bucket-list">{rows}</ul>
    </div>
  );
}
