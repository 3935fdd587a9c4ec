import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type AddrEntry as AddrMsgEntry, type Message } from '../../wire/messages.ts';
import type { Book } from './address-book.ts';
import { AddrMixer } from './addr-mixing.ts';
import type { NodeConfig, Offence } from './config.ts';
import type { Conn } from './conn.ts';
import type { PeerAddresses } from './peer-addresses.ts';

/** What the address exchange needs from its peer manager. */
export interface AddrExchangeHost {
  readonly self: PeerNum;
  /** Addr mixing (cfg.addrMixing), once the node has started; undefined when off. */
  readonly mixer: AddrMixer | undefined;
  sendOn(c: Conn, msg: Message): void;
  offendConn(c: Conn, kind: Offence, now: TimeUs): void;
  /** The established connections, in the order they came up. */
  upConns(): Iterable<Conn>;
}

/**
 * getaddr / addr between peers (seed 000), and with addr mixing the
 * announcements a peer relays and trickles: what a peer may make us store
 * is bounded here (one answer per connection, addrResponseMax entries, the
 * mixer's token bucket); the rest is charged as unsolicited.
 */
export class AddrExchange {
  constructor(
    private readonly cfg: NodeConfig,
    private readonly book: Book,
    private readonly peerAddresses: PeerAddresses,
    private readonly host: AddrExchangeHost,
  ) {}

  /**
   * One `addr` per connection is an answer: to our getaddr, or the sample a
   * full peer we dialled hands us before hanging up. Any other (and entries
   * past addrResponseMax) is unsolicited: charged and ignored, so a peer
   * cannot pour addresses into our book.
   */
  onAddr(c: Conn, msg: Extract<Message, { type: typeof MsgType.Addr }>, now: TimeUs): void {
    const charge = this.cfg.unsolicitedAddr === 'charge';
    const solicited = !c.gotAddr && (c.sentGetAddr || c.dir === 'out');
    const mixer = this.host.mixer;
    if (!solicited && mixer && AddrMixer.isAnnouncement(msg.entries.length)) return this.onAnnouncement(mixer, c, msg.entries, now);
    c.gotAddr = true;
    if (charge && !solicited) return this.host.offendConn(c, 'unsolicited-addr', now);
    const cap = mixer ? Math.max(this.cfg.addrResponseMax, AddrMixer.answerSize(Number.POSITIVE_INFINITY)) : this.cfg.addrResponseMax;
    const n = charge ? Math.min(msg.entries.length, cap) : msg.entries.length;
    for (let i = 0; i < n; i++) this.learnFrom(c, msg.entries[i], now);
    if (n < msg.entries.length) this.host.offendConn(c, 'unsolicited-addr', now);
  }

  /** Our one answer to a connection's getaddr: a sample of the book (not the asker itself); a second ask is charged. */
  answerGetAddr(c: Conn, now: TimeUs): void {
    if (c.answeredGetAddr) return this.host.offendConn(c, 'unsolicited', now);
    c.answeredGetAddr = true;
    const entries: AddrMsgEntry[] = [];
    const asker = c.peer;
    this.book.sample(now, this.host.mixer ? AddrMixer.answerSize(this.book.size) : this.cfg.addrResponseMax, (address, peer, lastSeenUs) => {
      if (peer !== undefined && peer !== asker) entries.push({ peer, address: { host: address, port: 0 }, lastSeenS: Math.floor(lastSeenUs / 1e6) });
    });
    this.host.sendOn(c, { type: MsgType.Addr, entries });
  }

  /** Addr mixing's trickle: each established connection's queued announcements, when the flush is due. */
  trickle(mixer: AddrMixer, now: TimeUs): void {
    if (!mixer.flushDue(now)) return;
    for (const c of this.host.upConns()) for (const entries of AddrMixer.drain(c)) this.host.sendOn(c, { type: MsgType.Addr, entries });
  }

  /** Addresses a peer announces (addr mixing): learnt within its token bucket; fresh ones relayed onwards. */
  private onAnnouncement(mixer: AddrMixer, c: Conn, entries: readonly AddrMsgEntry[], now: TimeUs): void {
    const n = mixer.admit(c, entries.length, now);
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      if (this.learnFrom(c, e, now) && AddrMixer.isFresh(e, now)) mixer.relay(e, now, c, this.host.upConns());
    }
  }

  /** One address a peer sent us, into the book (not our own); false when it was ours. */
  private learnFrom(c: Conn, e: AddrMsgEntry, now: TimeUs): boolean {
    if (e.peer === this.host.self) return false;
    this.book.add(e.address.host, e.peer, 'addr', now, c.address);
    this.peerAddresses.note(e.peer, e.address.host);
    return true;
  }
}
