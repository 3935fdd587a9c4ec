import type { RngStreams } from '../engine/rng.ts';
import type { TimeUs } from '../engine/time.ts';
import type { World } from '../net/world.ts';
import type { ProtocolDriver } from '../protocols/driver.ts';
import { Churn } from './churn.ts';
import { scheduleActions } from './faults.ts';
import type { Scenario } from './schema/index.ts';
import type { ScenarioUnderlay } from './underlay.ts';

/**
 * The honest hosts of a run. The initial peers are honest indices
 * 0..count-1 at addresses 0..count-1; adversaries follow them; peers that
 * churn brings in later get the next honest indices (count, count+1, …) at
 * the next free addresses, so for them index ≠ address: `addressOf` maps.
 */
export class Population {
  /** Address of each honest index. */
  readonly addressOf: number[] = [];
  /** When each honest index was (first) started, µs. */
  readonly joinUs: TimeUs[] = [];
  churn: Churn | undefined;

  constructor(
    private readonly world: World<unknown>,
    private readonly driver: ProtocolDriver<unknown>,
    private readonly underlay: ScenarioUnderlay,
  ) {}

  /** Adds honest peer number `addressOf.length`, started at `atUs`; -1 once the underlay's capacity is used up. */
  addHonest(atUs: TimeUs): number {
    if (this.world.hostCount >= this.underlay.capacity) return -1;
    const index = this.addressOf.length;
    const address = this.world.addHost((ctx) => this.driver.createPeer(ctx, index));
    const v = this.underlay.hosts.version;
    const remapped = this.underlay.versionRemap.get(v[address]);
    if (remapped !== undefined) v[address] = remapped; // an upgrade has begun: newcomers run the new version
    this.addressOf.push(address);
    this.joinUs.push(atUs);
    this.world.startAt(address, atUs);
    return address;
  }

  /** After honest peers and adversaries exist: the scenario's actions and churn. */
  scheduleEvents(scenario: Scenario, starts: readonly TimeUs[], endUs: TimeUs, rng: RngStreams): void {
    scheduleActions(this.world, scenario, this.underlay, rng, (i) => this.driver.app?.(i));
    const cfg = scenario.churn;
    if (!cfg) return;
    this.churn = new Churn(this.world, cfg, endUs, rng, {
      spawn: (at) => this.addHonest(at),
      departed: (address) => (this.underlay.departed[address] = 1),
    });
    this.churn.start(starts, scenario.bootstrap.count);
  }

  /** `metrics.underlay.churn`, when the scenario has churn. */
  metrics(): Record<string, unknown> | undefined {
    return this.churn ? { ...this.churn.metrics(), honestPeersCreated: this.addressOf.length } : undefined;
  }
}
