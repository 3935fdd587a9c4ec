import type { ProtocolConfig } from '../scenario/schema/protocols.ts';
import type { ProtocolDriver } from './driver.ts';
import { floodDriver } from './flood/driver.ts';

/** Protocol drivers by scenario `protocol.kind`. */
export function driverFor(kind: ProtocolConfig['kind']): ProtocolDriver<unknown> {
  switch (kind) {
    case 'flood':
      return floodDriver as ProtocolDriver<unknown>;
  }
}
