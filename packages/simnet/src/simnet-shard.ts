// A child process hosting one slice of a realistic simnet (realistic-simnet.ts forks it from dist/).
import { hostNodes, type NodeHost } from './node-host.js';
import { planNetwork } from './network-plan.js';
import type { FromShard, ToShard } from './shard-messages.js';

const tell = (m: FromShard) => process.send?.(m);
let host: NodeHost | undefined;

// The shard lives as long as its parent: a parent that dies (or closes the channel) takes it along,
// so no orphan keeps thousands of loopback ports bound.
process.on('disconnect', () => process.exit(0));

process.on('message', (m: ToShard) => {
  switch (m.type) {
    case 'start':
      hostNodes({ plan: planNetwork(m.plan), from: m.from, to: m.to, seed: m.plan.seed, gossip: m.gossip, startedAt: m.startedAt, startHeight: m.startHeight }).then(
        (h) => {
          host = h;
          tell({ type: 'listening' });
        },
        (err: Error) => {
          tell({ type: 'failed', message: err.message });
          process.exit(1);
        },
      );
      return;
    case 'mine':
      host?.mine(m.blocks, m.time);
      return;
    case 'connections':
      tell({ type: 'connections', id: m.id, count: host?.connections() ?? 0 });
      return;
    case 'close':
      // The parent waits for this process's exit, which comes once every listener is closed.
      void (host?.close() ?? Promise.resolve()).finally(() => process.exit(0));
      return;
  }
});
