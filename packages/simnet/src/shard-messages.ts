import type { GossipOptions } from './addr-gossip.js';
import type { NetworkPlanOptions } from './network-plan.js';

/**
 * What the parent tells a shard to host. The plan's options, not the plan: every shard computes the
 * same plan from them (network-plan.ts), so nothing of size N crosses the IPC channel.
 */
export interface ShardStart {
  type: 'start';
  plan: NetworkPlanOptions;
  from: number;
  to: number;
  gossip: GossipOptions;
  startedAt: number;
  startHeight: number;
}

export type ToShard =
  | ShardStart
  | { type: 'mine'; blocks: number; time: number }
  | { type: 'connections'; id: number }
  | { type: 'close' };

export type FromShard =
  | { type: 'listening' }
  | { type: 'failed'; message: string }
  | { type: 'connections'; id: number; count: number };
