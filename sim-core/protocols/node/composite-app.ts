import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Message } from '../../wire/messages.ts';
import type { Address, Direction, TimerId } from '../../sans-io/protocol.ts';
import type { NodeApi, NodeApp } from './app.ts';

/** Timer tags each sub-app may use: [0, TAG_SPAN). */
const TAG_SPAN = 1 << 12;

/**
 * Several apps on one node (an overlay plus a workload such as block relay).
 * Each message type belongs to the first app whose `handles` accepts it;
 * timers are told apart by tag ranges; every app sees every peer event.
 */
export class CompositeApp implements NodeApp {
  readonly name: string;
  private readonly owner = new Map<number, NodeApp>();

  constructor(
    readonly apps: readonly (NodeApp & { handles(type: number): boolean })[],
  ) {
    this.name = apps.map((a) => a.name).join('+');
  }

  onStart(now: TimeUs, api: NodeApi): void {
    this.apps.forEach((app, i) => app.onStart(now, withTagOffset(api, i * TAG_SPAN)));
  }

  onPeerUp(now: TimeUs, peer: PeerNum, dir: Direction): void {
    for (const a of this.apps) a.onPeerUp(now, peer, dir);
  }

  onPeerDown(now: TimeUs, peer: PeerNum): void {
    for (const a of this.apps) a.onPeerDown(now, peer);
  }

  onMessage(now: TimeUs, peer: PeerNum, msg: Message): void {
    let app = this.owner.get(msg.type);
    if (!app) {
      app = this.apps.find((a) => a.handles(msg.type));
      if (!app) return;
      this.owner.set(msg.type, app);
    }
    app.onMessage(now, peer, msg);
  }

  onTimer(now: TimeUs, tag: number): void {
    const i = Math.floor(tag / TAG_SPAN);
    this.apps[i]?.onTimer(now, tag - i * TAG_SPAN);
  }

  onDialFailed(now: TimeUs, address: Address): void {
    for (const a of this.apps) a.onDialFailed?.(now, address);
  }

  overlay(): Iterable<PeerNum> {
    for (const a of this.apps) if (a.overlay) return a.overlay();
    return [];
  }
}

/** The same API with timer tags shifted into one sub-app's range (every other call delegates to `api`). */
function withTagOffset(api: NodeApi, offset: number): NodeApi {
  if (offset === 0) return api;
  return {
    self: api.self,
    address: api.address,
    rng: api.rng,
    send: (peer, msg) => api.send(peer, msg),
    peers: () => api.peers(),
    dial: (address) => api.dial(address),
    punch: (address) => api.punch(address),
    dialViaRelay: (address, relay) => api.dialViaRelay(address, relay),
    reachability: () => api.reachability(),
    peerServices: (peer) => api.peerServices(peer),
    disconnect: (peer, reason) => api.disconnect(peer, reason),
    isAnchor: (peer) => api.isAnchor?.(peer) ?? false,
    setTimer: (delayUs, tag): TimerId => api.setTimer(delayUs, tag + offset),
    cancelTimer: (id) => api.cancelTimer(id),
    offence: (peer, kind) => api.offence(peer, kind),
    addressOf: (peer) => api.addressOf(peer),
    learnAddress: (address, peer, now) => api.learnAddress(address, peer, now),
    samplePeers: (count) => api.samplePeers(count),
    rttUs: (peer) => api.rttUs(peer),
    outboundCount: () => api.outboundCount(),
    inboundCount: () => api.inboundCount(),
    dialingCount: () => api.dialingCount(),
    chargeCpu: (us) => api.chargeCpu(us),
  };
}
