import { secondsToUs, type TimeUs } from '../../engine/time.ts';
import { maxBlockBodyBytes } from '../../wire/sizes.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type Message } from '../../wire/messages.ts';
import type { NodeApi, NodeApp } from '../node/app.ts';
import { CompositeApp } from '../node/composite-app.ts';
import type { StrategyEnv, StrategyRuntime } from '../strategy.ts';
import type { BlocksSettings } from './config-schema.ts';
import type { Address, Direction } from '../../sans-io/protocol.ts';
import { BlockRelayApp } from './relay-app.ts';
import { MiningSchedule } from './schedule.ts';
import { BlockTracker } from './tracker.ts';

type RoutedApp = NodeApp & { handles(type: number): boolean };

const isBlockType = (t: number) => t === MsgType.Inv || t === MsgType.GetData || t === MsgType.Block;

/** The overlay stand-in when the strategy has no app (strategy `none`): no messages, every established peer is a link. */
export class PassThroughApp implements RoutedApp {
  readonly name = 'overlay';
  private api: NodeApi | undefined;
  handles(): boolean {
    return false;
  }
  onStart(_now: TimeUs, api: NodeApi): void {
    this.api = api;
  }
  onPeerUp(): void {}
  onPeerDown(): void {}
  onMessage(): void {}
  onTimer(): void {}
  overlay(): Iterable<PeerNum> {
    return this.api ? this.api.peers().keys() : [];
  }
}

/**
 * A CompositeApp that keeps the overlay app's name, so the peer manager
 * hands the overlay the same random stream (`peer/<i>/<name>`) with or
 * without the workload: enabling blocks changes the overlay's behaviour
 * only through the traffic it adds.
 */
class WorkloadComposite extends CompositeApp {
  override readonly name: string;
  constructor(apps: readonly RoutedApp[], name: string) {
    super(apps);
    this.name = name;
  }
}

/**
 * The overlay app as a CompositeApp part: an app without `handles` takes
 * every type but the block relay's, and one without `overlay` counts every
 * established peer as a link (the NodeApp default, which CompositeApp would
 * otherwise turn into "no links").
 */
function routed(app: NodeApp): RoutedApp {
  const own = (app as Partial<RoutedApp>).handles;
  if (typeof own === 'function' && app.overlay) return app as RoutedApp;
  let api: NodeApi | undefined;
  return {
    name: app.name,
    handles: typeof own === 'function' ? (t) => own.call(app, t) : (t) => !isBlockType(t),
    onStart: (now: TimeUs, a: NodeApi) => {
      api = a;
      app.onStart(now, a);
    },
    onPeerUp: (now: TimeUs, peer: PeerNum, dir: Direction) => app.onPeerUp(now, peer, dir),
    onPeerDown: (now: TimeUs, peer: PeerNum) => app.onPeerDown(now, peer),
    onMessage: (now: TimeUs, peer: PeerNum, msg: Message) => app.onMessage(now, peer, msg),
    onTimer: (now: TimeUs, tag: number) => app.onTimer(now, tag),
    onDialFailed: (now: TimeUs, address: Address) => app.onDialFailed?.(now, address),
    overlay: () => (app.overlay ? app.overlay() : api ? api.peers().keys() : []),
  };
}

/**
 * Adds the block workload (`protocol.workload.blocks`) to a strategy. When it
 * is enabled, each honest peer runs CompositeApp([overlay app, BlockRelayApp]),
 * blocks being relayed over the overlay app's `overlay()` links (every
 * established peer for strategy `none`). One MiningSchedule (stream
 * `workload/blocks`) and one BlockTracker are shared by the simulation; the
 * tracker's report becomes `metrics.blocks`. The strategy's name and other
 * hooks are kept; its sample/finalMetrics/extraSections still see its own
 * apps. Disabled, the strategy is returned unchanged.
 */
export function withBlocks(inner: (env: StrategyEnv) => StrategyRuntime, cfg: BlocksSettings): (env: StrategyEnv) => StrategyRuntime {
  return (env) => {
    const base = inner(env);
    if (!cfg.enabled) return base;
    const run = env.run;
    const maxBody = maxBlockBodyBytes(run.wire.maxFrameBytes);
    if (cfg.bodyBytes > maxBody) {
      throw new Error(`protocol.workload.blocks.bodyBytes: got ${cfg.bodyBytes}; must be ≤ ${maxBody} (the largest body a frame of wire.maxFrameBytes = ${run.wire.maxFrameBytes} carries)`);
    }
    const peers = run.peers;
    const schedule = new MiningSchedule(env.rng.stream('workload/blocks'), {
      startUs: secondsToUs(cfg.startS),
      intervalUs: secondsToUs(cfg.intervalS),
      count: cfg.count,
      endUs: secondsToUs(run.durationS),
      peers,
    });
    const tracker = new BlockTracker(schedule, peers, cfg.mode);
    const config = { mode: cfg.mode, bodyBytes: cfg.bodyBytes, getdataTimeoutUs: secondsToUs(cfg.getdataTimeoutS) };
    const innerApps: (NodeApp | undefined)[] = [];
    const runtime: StrategyRuntime = {
      ...base, // keeps the strategy's other hooks (nodeConfig, …)
      appFor(index, identity, hostile) {
        const app = base.appFor(index, identity, hostile);
        innerApps[index] = app;
        const overlayApp = app ? routed(app) : new PassThroughApp();
        const blocks = new BlockRelayApp({
          index,
          config,
          schedule,
          observer: tracker,
          ids: env.registry,
          overlayPeers: () => overlayApp.overlay!(),
        });
        return new WorkloadComposite([overlayApp, blocks], app?.name ?? 'blocks');
      },
      sample: (_apps, world, addresses) => ({ ...base.sample?.(innerApps, world, addresses), ...tracker.sample() }),
      extraSections: (_apps, world) => ({ ...base.extraSections?.(innerApps, world), blocks: tracker.report() }),
    };
    if (base.finalMetrics) runtime.finalMetrics = (_apps, world, addresses) => base.finalMetrics!(innerApps, world, addresses);
    return runtime;
  };
}
