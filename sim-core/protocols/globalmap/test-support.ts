import { RngStreams } from '../../engine/rng.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Message } from '../../wire/messages.ts';
import type { NodeApi } from '../node/app.ts';
import type { Address, Direction } from '../../sans-io/protocol.ts';
import { GlobalMapApp } from './app.ts';
import { DEFAULT_GLOBALMAP_CONFIG, type GlobalmapConfig } from './config.ts';
import { PeerStore } from './peer-store.ts';
import { RecordPool } from './record-pool.ts';
import { GraphScratch } from './scratch.ts';
import { EventTable } from './event-table.ts';
import { minimalOverlap } from './selection.ts';
import { IdentityRegistry } from '../identity/registry.ts';
import { modelSigner } from '../identity/signer.ts';
import type { Offence } from '../node/config.ts';
import { MapAuth } from './map-auth.ts';

/**
 * An in-memory network of GlobalMapApps for tests: messages are queued and
 * delivered in FIFO order by `drain()`, links are made with `link(a, b)`,
 * timers are ignored (selection is driven by hand). Peer i is PeerNum i.
 */
export class FakeMesh {
  readonly apps: GlobalMapApp[] = [];
  readonly pool = new RecordPool();
  readonly sent: { from: PeerNum; to: PeerNum; msg: Message }[] = [];
  /** Offences the apps charged: `by` charged `peer`. */
  readonly offences: { by: PeerNum; peer: PeerNum; kind: Offence }[] = [];
  /** Dials the apps asked for (the stub refuses them all). */
  readonly dials: { from: PeerNum; address: Address }[] = [];
  /** Addresses the apps learnt: `by` now believes `peer` is at `address`. */
  readonly learnt: { by: PeerNum; peer: PeerNum; address: Address }[] = [];
  /** Identity i is peer i (model signatures); the MapAuth is used when cfg.security is 'signed'. */
  readonly registry = new IdentityRegistry(modelSigner);
  readonly auth: MapAuth;
  private readonly queue: { from: PeerNum; to: PeerNum; msg: Message }[] = [];
  private readonly adj: Map<PeerNum, Direction>[] = [];
  now = 1_000_000;

  constructor(n: number, cfg: Partial<GlobalmapConfig> = {}) {
    const full: GlobalmapConfig = { ...DEFAULT_GLOBALMAP_CONFIG, announceDelayUs: 0, syncOnJoin: false, ...cfg };
    const scratch = new GraphScratch();
    const events = new EventTable(n, full.dedupeWindowUs);
    const rng = new RngStreams(1);
    this.auth = new MapAuth(modelSigner, this.registry, { signUs: 70, verifyUs: 200 });
    const identities = Array.from({ length: n }, (_, i) => this.registry.mint(rng.peer(i, 'identity')));
    for (let i = 0; i < n; i++) {
      this.adj.push(new Map());
      const app = new GlobalMapApp({
        cfg: full,
        strategy: minimalOverlap,
        store: new PeerStore(this.pool, { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 }),
        scratch,
        peerSpace: () => n,
        bootstrap: [],
        events,
        auth: this.auth,
        identity: identities[i],
      });
      this.apps.push(app);
      app.onStart(this.now, this.api(i, rng));
    }
  }

  /** Connects a (dialler) and b; both apps learn it; with announceDelay 0 the announcements wait for `fireAnnounce`. */
  link(a: PeerNum, b: PeerNum): void {
    this.adj[a].set(b, 'out');
    this.adj[b].set(a, 'in');
    this.apps[a].onPeerUp(this.now, b, 'out');
    this.apps[b].onPeerUp(this.now, a, 'in');
  }

  /** Fires every app's pending announce timer (tag 5), i.e. gossips the new links. */
  announceAll(): void {
    for (const app of this.apps) app.onTimer(this.now, 5);
  }

  drain(limit = 1_000_000): number {
    let n = 0;
    while (this.queue.length > 0 && n < limit) {
      const { from, to, msg } = this.queue.shift()!;
      if (this.adj[to].has(from)) this.apps[to].onMessage(this.now, from, msg);
      n++;
    }
    return n;
  }

  private api(self: PeerNum, streams: RngStreams): NodeApi {
    const mesh = this;
    const api = stubNodeApi(self, streams, mesh.adj[self], (peer, msg) => {
      if (!mesh.adj[self].has(peer)) return false;
      mesh.sent.push({ from: self, to: peer, msg });
      mesh.queue.push({ from: self, to: peer, msg });
      return true;
    });
    api.offence = (peer, kind) => void mesh.offences.push({ by: self, peer, kind });
    api.dial = (address) => {
      mesh.dials.push({ from: self, address });
      return false;
    };
    api.learnAddress = (address, peer) => {
      if (peer !== undefined) mesh.learnt.push({ by: self, peer, address });
    };
    return api;
  }
}

/** A NodeApi for driving one app by hand: sends go to `send`, neighbours are `peers`, everything else is inert. */
export function stubNodeApi(self: PeerNum, streams: RngStreams, peers: Map<PeerNum, Direction>, send: NodeApi['send']): NodeApi {
  return {
    self,
    address: self,
    rng: streams.peer(self, 'gm'),
    send,
    peers: () => peers,
    dial: () => false,
    punch: () => false,
    dialViaRelay: () => false,
    reachability: () => ({ reachable: true, relay: false }),
    peerServices: () => undefined,
    disconnect: () => {},
    setTimer: () => 0,
    cancelTimer: () => {},
    offence: () => {},
    addressOf: () => undefined,
    samplePeers: () => [],
    learnAddress: () => {},
    rttUs: () => undefined,
    outboundCount: () => 0,
    inboundCount: () => 0,
    dialingCount: () => 0,
    chargeCpu: () => {},
  };
}
