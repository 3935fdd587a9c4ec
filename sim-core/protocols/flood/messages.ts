import type { MessageSizer } from '../../sans-io/protocol.ts';

/** The demo protocol's only message: a ping flooded through the overlay. */
export interface FloodPing {
  readonly origin: number;
  readonly seq: number;
  /** Hops left, including the one this message is on. */
  readonly ttl: number;
}

export const FLOOD_PING_TYPE = 1;
/** Frame bytes: u32 length + u8 type + u32 origin + u32 seq + u8 ttl. */
export const FLOOD_PING_BYTES = 4 + 1 + 4 + 4 + 1;

export const floodSizer: MessageSizer<FloodPing> = {
  typeOf: () => FLOOD_PING_TYPE,
  sizeOf: () => FLOOD_PING_BYTES,
  typeName: (t) => (t === FLOOD_PING_TYPE ? 'flood-ping' : `type-${t}`),
};
