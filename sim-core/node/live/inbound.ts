import type { Socket } from 'node:net';
import type { Address } from '../../sans-io/protocol.ts';

/** How long an accepted socket may wait to be matched to one of our dialers before it counts as foreign. */
export const IDENTIFY_GRACE_MS = 500;
/** Bytes buffered from a socket not yet identified (a foreign client may not stall us with more). */
export const MAX_UNIDENTIFIED_BYTES = 256 * 1024;
/** Addresses given to sockets from outside this process, one per remote IP (far above any host address). */
export const FOREIGN_ADDRESS_BASE = 1 << 20;
/** Distinct foreign IPs remembered; more share one address. */
export const MAX_FOREIGN_IPS = 1024;

/** Loopback IP host `a` dials from with `sourceIps` (127.1.0.0 + a; 65,536 hosts, far from 127.0.0.1). */
export function hostIp(a: Address): string {
  return `127.1.${(a >> 8) & 255}.${a & 255}`;
}

/** The host address of a hostIp, or undefined for any other address. */
export function addressOfIp(ip: string | undefined): Address | undefined {
  const m = ip ? /^(?:::ffff:)?127\.1\.(\d+)\.(\d+)$/.exec(ip) : null;
  return m ? Number(m[1]) * 256 + Number(m[2]) : undefined;
}

/** A socket's (source port, destination port) as one number. */
const portKey = (src: number, dst: number) => src * 65536 + dst;

/**
 * Who is on the other end of an accepted socket, as a kernel tells an IP:
 * every dial of this process registers its (source port, destination port)
 * on 'connect', and an accepted socket with that pair is that dialer. Keyed by
 * both ports because the kernel may hand a closed socket's source port to
 * another dial before the old socket's 'close' event has run. The acceptor's
 * 'connection' may come before the dialer's 'connect': it then waits (bytes
 * held, bounded) up to IDENTIFY_GRACE_MS, after which the socket is foreign.
 */
export class InboundMatcher {
  /** Accepted sockets no dialer of ours claimed. */
  foreignAccepted = 0;
  private readonly dialers = new Map<number, Address>();
  private readonly waiting = new Map<number, (remote: Address) => void>();
  private readonly foreign = new Map<string, Address>();

  /** Our dial from `from` is connected on `socket` to a host listening on `targetPort`. */
  dialed(socket: Socket, from: Address, targetPort: number): void {
    const key = portKey(socket.localPort!, targetPort);
    this.dialers.set(key, from);
    socket.once('close', () => this.dialers.get(key) === from && this.dialers.delete(key));
    this.waiting.get(key)?.(from);
  }

  /** Calls `then` with the remote's address and the bytes that came meanwhile (once, unless the socket died). */
  identify(socket: Socket, listenPort: number, then: (remote: Address, held: Buffer[]) => void): void {
    const key = portKey(socket.remotePort ?? 0, listenPort);
    const known = this.dialers.get(key);
    if (known !== undefined) return then(known, []);
    const held: Buffer[] = [];
    let heldBytes = 0;
    const hold = (b: Buffer) => {
      heldBytes += b.length;
      if (heldBytes > MAX_UNIDENTIFIED_BYTES) socket.destroy();
      else held.push(b);
    };
    socket.on('data', hold);
    const done = (remote: Address) => {
      clearTimeout(grace);
      this.waiting.delete(key);
      socket.off('data', hold);
      socket.off('end', gone);
      if (socket.destroyed) return;
      then(remote, held);
    };
    // Our dialer gave up before its 'connect' (closed while dialing): nobody to hand this socket to.
    const gone = () => {
      if (this.waiting.get(key) !== done) return;
      clearTimeout(grace);
      this.waiting.delete(key);
      socket.destroy();
    };
    socket.once('end', gone);
    // After a stall of the event loop the timer may fire before the poll that carries the dialer's 'connect':
    // decide only after that poll (setImmediate runs after it).
    const grace = setTimeout(() => setImmediate(() => this.waiting.get(key) === done && done(this.foreignAddress(socket.remoteAddress ?? '?'))), IDENTIFY_GRACE_MS);
    this.waiting.set(key, done);
  }

  private foreignAddress(ip: string): Address {
    this.foreignAccepted++;
    let a = this.foreign.get(ip);
    if (a === undefined && this.foreign.size < MAX_FOREIGN_IPS) this.foreign.set(ip, (a = FOREIGN_ADDRESS_BASE + this.foreign.size));
    return a ?? FOREIGN_ADDRESS_BASE + MAX_FOREIGN_IPS;
  }
}
