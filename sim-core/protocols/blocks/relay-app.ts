import type { TimeUs } from '../../engine/time.ts';
import { HASH_BYTES } from '../../wire/constants.ts';
import { numericIdCodec, type IdCodec, type PeerNum } from '../../wire/ids.ts';
import { InvKind, MsgType, type BlockMsg, type GetDataMsg, type InvItem, type InvMsg, type Message } from '../../wire/messages.ts';
import type { NodeApi, NodeApp } from '../node/app.ts';
import type { Direction } from '../../sans-io/protocol.ts';
import { GENESIS_HASH, hashKey, hashMatches, makeBlock } from './block.ts';
import type { MiningSchedule } from './schedule.ts';

export type RelayMode = 'inv' | 'push';

export interface BlockRelayConfig {
  /** inv: announce hashes, serve bodies on getdata; push: send whole blocks to every overlay neighbour. */
  mode: RelayMode;
  /** Body size of the blocks this node mines. */
  bodyBytes: number;
  /** A getdata unanswered after this long goes to the next announcer. */
  getdataTimeoutUs: number;
  /** Blocks kept (and so known, served and deduplicated); the oldest is forgotten first. */
  keepBlocks: number;
  /** Announcers remembered per block being fetched (fallback candidates). */
  maxAnnouncers: number;
  /** Blocks being fetched at once; invs for more are ignored until some arrive. */
  maxInFlight: number;
  /** Announce our best block to each newly established peer (a stand-in for headers sync). */
  announceTipOnConnect: boolean;
}

export const DEFAULT_BLOCK_RELAY_CONFIG: BlockRelayConfig = {
  mode: 'inv',
  bodyBytes: 32 * 1024,
  getdataTimeoutUs: 5_000_000,
  keepBlocks: 1024,
  maxAnnouncers: 8,
  maxInFlight: 256,
  announceTipOnConnect: true,
};

/** Observer-side hooks (metrics), not protocol state: the relay works the same without one. */
export interface BlockObserver {
  /** `index` mined the block of schedule slot `slot`. */
  mined(key: string, slot: number, index: number, height: number, now: TimeUs): void;
  /** `index` stored the block for the first time. */
  accepted(key: string, index: number, now: TimeUs): void;
  /** A body arrived for a block `index` already had. */
  duplicateBody(key: string, index: number): void;
  /** An inv announced a block `index` already had or was already fetching. */
  redundantInv(key: string, index: number): void;
  /** Other countable happenings. */
  event(kind: RelayEvent): void;
}

export type RelayEvent = 'inv-sent' | 'getdata-sent' | 'block-sent' | 'getdata-timeout' | 'unsolicited' | 'invalid' | 'in-flight-full';

export interface BlockRelayDeps {
  /** Honest peer index (the mining schedule and the observer know peers by it). */
  index: number;
  config?: Partial<BlockRelayConfig>;
  /** The peers blocks are announced to: the overlay's links. Default: every established peer. */
  overlayPeers?: () => Iterable<PeerNum>;
  /** The global mining lottery; without one this node never mines. */
  schedule?: MiningSchedule;
  observer?: BlockObserver;
  /** Writes 32-byte peer ids into block headers (the identity registry in the simulator). */
  ids?: IdCodec;
}

/** Protocol-local counters (for tests and debugging). */
export interface BlockRelayStats {
  mined: number;
  accepted: number;
  duplicateBodies: number;
  redundantInvs: number;
  invsSent: number;
  getdataSent: number;
  blocksSent: number;
  getdataTimeouts: number;
  unsolicited: number;
  invalid: number;
  inFlightFull: number;
}

interface Request {
  readonly hash: Uint8Array;
  /** Peers that announced the block, in order; the first was asked first. */
  readonly announcers: PeerNum[];
  /** Index in `announcers` of the next peer to ask. */
  next: number;
  asking: PeerNum;
  deadlineUs: TimeUs;
}

const TAG_SLOT = 1;
const TAG_MINE = 2;
const TAG_TIMEOUT = 3;
const GENESIS_KEY = hashKey(GENESIS_HASH);
/** Heights are u32 on the wire; a block at the last one could have no child. */
const MAX_HEIGHT = 0xffffffff;
/** check()'s verdicts: valid; invalid to anyone; a height that contradicts the parent (only who has it can tell). */
const VALID = 0;
const BAD = 1;
const BAD_HEIGHT = 2;

/**
 * Block propagation as a NodeApp (seed 001 §6.1; seed 004 inv/getdata).
 *
 * inv mode: a new block is announced with a one-item `inv` to every overlay
 * neighbour except the peer it came from and the peers that announced it to
 * us. An unknown hash in an `inv` is fetched with `getdata` from the first
 * announcer; after `getdataTimeoutUs` the next announcer is asked (at most
 * `maxAnnouncers`). A `block` is accepted if we asked that peer for it,
 * its hash is the hash of its header, its height is ≥ 1, its parent's height
 * + 1 when the parent is known, and it was not mined in the future; it is
 * then stored and relayed. push mode: the whole block goes to the same
 * neighbours and any block from a peer is welcome.
 *
 * Offences: a `block` we did not ask for (inv mode) and a `getdata` for a
 * hash we do not have are 'unsolicited'; an invalid block is
 * 'inconsistent-events' (there is no block-specific offence kind).
 *
 * Bounds: `keepBlocks` stored blocks and solicitation records,
 * `maxInFlight` fetches × `maxAnnouncers` announcers each.
 *
 * Mining: at each slot of the shared MiningSchedule the app checks in, and
 * mines on its best block if the lottery picks it. The app draws no
 * randomness of its own.
 */
export class BlockRelayApp implements NodeApp {
  readonly name = 'blocks';
  readonly cfg: BlockRelayConfig;
  readonly stats: BlockRelayStats = {
    mined: 0,
    accepted: 0,
    duplicateBodies: 0,
    redundantInvs: 0,
    invsSent: 0,
    getdataSent: 0,
    blocksSent: 0,
    getdataTimeouts: 0,
    unsolicited: 0,
    invalid: 0,
    inFlightFull: 0,
  };
  private api!: NodeApi;
  /** Known blocks by hash key, oldest first. Survives restarts (a node's chain is on disk). */
  private readonly store = new Map<string, BlockMsg>();
  /** Stored blocks whose chain reaches genesis through stored blocks: only these may become the tip. */
  private readonly connected = new Set<string>();
  /** Stored blocks whose parent we do not have, by parent key (bounded with the store). */
  private readonly orphans = new Map<string, string[]>();
  private best: BlockMsg | undefined;
  private readonly requests = new Map<string, Request>();
  /** Peers we sent a getdata to, per hash: a body from them is solicited even if it arrives late. */
  private readonly askedFrom = new Map<string, PeerNum[]>();
  private readonly ids: IdCodec;
  private slot = -1;
  private mineSlot = -1;

  constructor(private readonly deps: BlockRelayDeps) {
    this.cfg = { ...DEFAULT_BLOCK_RELAY_CONFIG, ...deps.config };
    this.ids = deps.ids ?? numericIdCodec;
  }

  handles(type: number): boolean {
    return type === MsgType.Inv || type === MsgType.GetData || type === MsgType.Block;
  }

  /** The best (highest, first seen) block, if any. */
  get tip(): BlockMsg | undefined {
    return this.best;
  }

  has(hash: Uint8Array): boolean {
    return this.store.has(hashKey(hash));
  }

  get storedCount(): number {
    return this.store.size;
  }

  get inFlight(): number {
    return this.requests.size;
  }

  // ---- NodeApp ----

  onStart(now: TimeUs, api: NodeApi): void {
    this.api = api;
    this.requests.clear(); // connections died with the process
    this.mineSlot = -1;
    const s = this.deps.schedule;
    this.slot = s ? s.nextSlot(now) : -1;
    if (s && this.slot >= 0) api.setTimer(s.times[this.slot] - now, TAG_SLOT);
  }

  onPeerUp(_now: TimeUs, peer: PeerNum, _dir: Direction): void {
    if (this.cfg.announceTipOnConnect && this.best) this.sendInv(peer, this.best.hash);
  }

  onPeerDown(now: TimeUs, peer: PeerNum): void {
    for (const [key, req] of [...this.requests]) if (req.asking === peer) this.fallback(key, req, now);
  }

  onMessage(now: TimeUs, peer: PeerNum, msg: Message): void {
    switch (msg.type) {
      case MsgType.Inv:
        return this.onInv(now, peer, msg);
      case MsgType.GetData:
        return this.onGetData(peer, msg);
      case MsgType.Block:
        return this.onBlock(now, peer, msg);
    }
  }

  onTimer(now: TimeUs, tag: number): void {
    const s = this.deps.schedule;
    if (tag === TAG_TIMEOUT) {
      for (const [key, req] of [...this.requests]) {
        if (req.deadlineUs > now) continue;
        this.stats.getdataTimeouts++;
        this.deps.observer?.event('getdata-timeout');
        this.fallback(key, req, now);
      }
    } else if (tag === TAG_SLOT && s && this.slot >= 0) {
      const k = this.slot;
      s.checkIn(k, this.deps.index, this.hasOverlayPeer());
      this.mineSlot = k;
      this.api.setTimer(0, TAG_MINE); // runs after every check-in of this instant
      this.slot = k + 1 < s.slots ? k + 1 : -1;
      if (this.slot >= 0) this.api.setTimer(s.times[this.slot] - now, TAG_SLOT);
    } else if (tag === TAG_MINE && s && this.mineSlot >= 0) {
      const k = this.mineSlot;
      this.mineSlot = -1;
      if (s.minerOf(k) === this.deps.index) this.mine(now, k);
    }
  }

  // ---- mining ----

  private mine(now: TimeUs, slot: number): void {
    const parent = this.best;
    const b = makeBlock(
      { height: (parent?.height ?? 0) + 1, origin: this.api.self, minedAtUs: now, parent: parent?.hash ?? GENESIS_HASH, bodyBytes: this.cfg.bodyBytes },
      this.ids,
    );
    const key = hashKey(b.hash);
    this.stats.mined++;
    this.deps.observer?.mined(key, slot, this.deps.index, b.height, now);
    this.accept(now, key, b, undefined);
  }

  // ---- messages ----

  private onInv(now: TimeUs, peer: PeerNum, msg: InvMsg): void {
    const want: InvItem[] = [];
    for (const item of msg.items) {
      if (item.kind !== InvKind.Block || item.hash.length !== HASH_BYTES) continue;
      const key = hashKey(item.hash);
      if (this.store.has(key)) {
        this.redundantInv(key);
        continue;
      }
      const req = this.requests.get(key);
      if (req) {
        this.redundantInv(key);
        if (req.announcers.length < this.cfg.maxAnnouncers && !req.announcers.includes(peer)) req.announcers.push(peer);
        continue;
      }
      if (this.requests.size >= this.cfg.maxInFlight) {
        this.stats.inFlightFull++;
        this.deps.observer?.event('in-flight-full');
        continue;
      }
      this.requests.set(key, { hash: item.hash, announcers: [peer], next: 1, asking: peer, deadlineUs: now + this.cfg.getdataTimeoutUs });
      this.noteAsked(key, peer);
      want.push({ kind: InvKind.Block, hash: item.hash });
    }
    if (want.length === 0) return;
    if (this.sendGetData(peer, want)) this.api.setTimer(this.cfg.getdataTimeoutUs, TAG_TIMEOUT);
    else for (const it of want) this.fallback(hashKey(it.hash), this.requests.get(hashKey(it.hash))!, now);
  }

  private onGetData(peer: PeerNum, msg: GetDataMsg): void {
    let unknown = false;
    for (const item of msg.items) {
      if (item.kind !== InvKind.Block) continue;
      const b = item.hash.length === HASH_BYTES ? this.store.get(hashKey(item.hash)) : undefined;
      if (!b) {
        unknown = true;
        continue;
      }
      if (this.api.send(peer, b)) this.countBlockSent();
    }
    if (unknown) this.charge(peer, 'unsolicited');
  }

  private onBlock(now: TimeUs, peer: PeerNum, b: BlockMsg): void {
    const key = hashKey(b.hash);
    const solicited = this.cfg.mode === 'push' || (this.askedFrom.get(key)?.includes(peer) ?? false);
    if (!solicited) return this.charge(peer, 'unsolicited');
    if (this.store.has(key)) {
      this.stats.duplicateBodies++;
      this.deps.observer?.duplicateBody(key, this.deps.index);
      return;
    }
    const verdict = this.check(b, now);
    if (verdict !== VALID) {
      const req = this.requests.get(key);
      if (req && req.asking === peer) this.fallback(key, req, now);
      // A height that contradicts a parent only we have: a relay without that parent could not tell (it tolerates
      // unknown parents), so only the miner is charged. Anything else every honest relay checks before passing on.
      return this.charge(peer, 'invalid', verdict !== BAD_HEIGHT || peer === b.origin);
    }
    this.accept(now, key, b, peer);
  }

  // ---- relay ----

  private check(b: BlockMsg, now: TimeUs): number {
    // Below MAX_HEIGHT: a child's height must still be a u32 on the wire.
    if (!(b.height >= 1 && b.height < MAX_HEIGHT) || b.minedAtUs > now || !hashMatches(b, this.ids)) return BAD;
    const pk = hashKey(b.parent);
    if (pk === GENESIS_KEY) return b.height === 1 ? VALID : BAD;
    const parent = this.store.get(pk);
    // An unknown parent is tolerated (we may have been offline: there is no chain sync here), but such a
    // block becomes our tip only once its parent arrives (see accept).
    return !parent || b.height === parent.height + 1 ? VALID : BAD_HEIGHT;
  }

  private accept(now: TimeUs, key: string, b: BlockMsg, from: PeerNum | undefined): void {
    this.store.set(key, b);
    if (this.store.size > this.cfg.keepBlocks) this.evictOldest();
    const pk = hashKey(b.parent);
    if (pk === GENESIS_KEY || this.connected.has(pk)) this.connect(key, b);
    else this.orphans.set(pk, [...(this.orphans.get(pk) ?? []), key]);
    const req = this.requests.get(key);
    this.requests.delete(key);
    if (from !== undefined) this.stats.accepted++;
    this.deps.observer?.accepted(key, this.deps.index, now);
    // Never back to where it came from, nor to peers that told us they have it.
    const skip = req ? req.announcers : [];
    for (const p of [...this.links()]) {
      if (p === from || p === this.api.self || skip.includes(p)) continue;
      if (this.cfg.mode === 'push') {
        if (this.api.send(p, b)) this.countBlockSent();
      } else this.sendInv(p, b.hash);
    }
  }

  /** Asks the next announcer still connected; gives the fetch up when none is left (a later inv restarts it). */
  private fallback(key: string, req: Request, now: TimeUs): void {
    while (req.next < req.announcers.length) {
      const p = req.announcers[req.next++];
      if (!this.sendGetData(p, [{ kind: InvKind.Block, hash: req.hash }])) continue;
      req.asking = p;
      req.deadlineUs = now + this.cfg.getdataTimeoutUs;
      this.noteAsked(key, p);
      this.api.setTimer(this.cfg.getdataTimeoutUs, TAG_TIMEOUT);
      return;
    }
    this.requests.delete(key);
  }

  private noteAsked(key: string, peer: PeerNum): void {
    let list = this.askedFrom.get(key);
    if (!list) {
      this.askedFrom.set(key, (list = []));
      if (this.askedFrom.size > this.cfg.keepBlocks) this.askedFrom.delete(this.askedFrom.keys().next().value as string);
    }
    if (!list.includes(peer) && list.length < this.cfg.maxAnnouncers) list.push(peer);
  }

  private links(): Iterable<PeerNum> {
    return this.deps.overlayPeers ? this.deps.overlayPeers() : this.api.peers().keys();
  }

  private hasOverlayPeer(): boolean {
    return !this.links()[Symbol.iterator]().next().done;
  }

  private sendInv(peer: PeerNum, hash: Uint8Array): void {
    if (!this.api.send(peer, { type: MsgType.Inv, items: [{ kind: InvKind.Block, hash }] })) return;
    this.stats.invsSent++;
    this.deps.observer?.event('inv-sent');
  }

  private sendGetData(peer: PeerNum, items: InvItem[]): boolean {
    if (!this.api.send(peer, { type: MsgType.GetData, items })) return false;
    this.stats.getdataSent++;
    this.deps.observer?.event('getdata-sent');
    return true;
  }

  private countBlockSent(): void {
    this.stats.blocksSent++;
    this.deps.observer?.event('block-sent');
  }

  private redundantInv(key: string): void {
    this.stats.redundantInvs++;
    this.deps.observer?.redundantInv(key, this.deps.index);
  }

  /**
   * `b` (stored, key `key`) now reaches genesis: it and the orphans waiting
   * on it, transitively, may become the tip — the highest of them, the first
   * seen on a tie. A block with an unknown parent never does: one forged
   * height (any u32 passes while the parent is unknown) would otherwise
   * become every honest peer's tip and the parent of their next blocks.
   */
  private connect(key: string, b: BlockMsg): void {
    const todo: [string, BlockMsg][] = [[key, b]];
    // Each stored block is connected once: at most keepBlocks steps.
    for (let i = 0; i < todo.length && i <= this.cfg.keepBlocks; i++) {
      const [k, block] = todo[i];
      this.connected.add(k);
      if (!this.best || block.height > this.best.height) this.best = block;
      const waiting = this.orphans.get(k);
      if (waiting === undefined) continue;
      this.orphans.delete(k);
      for (const c of waiting) {
        const child = this.store.get(c);
        if (child !== undefined) todo.push([c, child]);
      }
    }
  }

  private evictOldest(): void {
    const [key, b] = this.store.entries().next().value as [string, BlockMsg];
    this.store.delete(key);
    this.connected.delete(key);
    const pk = hashKey(b.parent);
    const waiting = this.orphans.get(pk);
    if (waiting === undefined) return;
    const rest = waiting.filter((k) => k !== key);
    if (rest.length === 0) this.orphans.delete(pk);
    else this.orphans.set(pk, rest);
  }

  /** Counts what `peer` sent; charges it (`blame`) last: an offence may close the link and call back into onPeerDown. */
  private charge(peer: PeerNum, why: 'unsolicited' | 'invalid', blame = true): void {
    if (why === 'unsolicited') this.stats.unsolicited++;
    else this.stats.invalid++;
    this.deps.observer?.event(why);
    if (blame) this.api.offence(peer, why === 'unsolicited' ? 'unsolicited' : 'inconsistent-events');
  }
}
