// Issue 9, section 3: worker threads of a p2pnet node terminated from outside, one and then a storm of
// them. The connections on a dead worker end as 'worker-crash', the ones on the other worker are
// untouched, a fresh worker takes the dead one's place, and the dialers' reconnects bring the node
// back to all its connections (the node listens again when its listener's worker died with it).
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { PoolExecutor } from '@peerscope/engine';
import { Node, type NodeEvent } from '../src/index.js';
import { HOST } from './helpers.js';

/** Polls until `check` holds; a fresh worker loads its modules first, which takes seconds on a loaded machine. */
async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const nodes: Node[] = [];
const executors: PoolExecutor[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await Promise.all(executors.splice(0).map((e) => e.close()));
});

const workersOf = (e: PoolExecutor) => (e as unknown as { pool: { threads: Worker[] } }).pool.threads;

describe('worker crashes under a p2pnet node', () => {
  it('a crash storm: dead workers\' connections fail as worker-crash, the others are untouched, all come back', async () => {
    const executor = new PoolExecutor({ threads: 2 });
    executors.push(executor);
    const a = new Node({ host: HOST, port: 0, id: 'hub', executor, settleMs: 0 });
    await a.start();
    nodes.push(a);
    const events: NodeEvent[] = [];
    a.events$.subscribe((e) => events.push(e));
    const peers: Node[] = [];
    for (let i = 0; i < 4; i++) {
      const p = new Node({ host: HOST, port: 0, id: `peer-${i}`, threads: 0, settleMs: 0, reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
      await p.start();
      nodes.push(p);
      peers.push(p);
      await p.connectWithNode(HOST, a.port, { reconnect: true });
    }
    await until(() => a.allNodes.length === 4, 'four inbound');
    // And two the hub dials: outbound connections go to the least loaded worker (the listener's holds the inbound ones).
    for (let i = 4; i < 6; i++) {
      const p = new Node({ host: HOST, port: 0, id: `peer-${i}`, threads: 0, settleMs: 0 });
      await p.start();
      nodes.push(p);
      peers.push(p);
      await a.connectWithNode(HOST, p.port, { reconnect: true });
    }
    await until(() => a.allNodes.length === 6, 'six connections');
    let received = 0;
    a.on$('node-message').subscribe(() => received++);
    const ticker = setInterval(() => peers.forEach((p, i) => p.sendToNodes({ tick: i })), 20);
    try {
      // One crash: only the connections on that worker end.
      const before = new Set(a.allNodes);
      await workersOf(executor)[0].terminate();
      await until(() => events.some((e) => 'reason' in e && e.reason === 'worker-crash'), 'worker-crash reported');
      await new Promise((r) => setTimeout(r, 100));
      const crashed = events.filter((e) => e.type === 'inbound-node-disconnected' || e.type === 'outbound-node-disconnected');
      expect(crashed.every((e) => 'reason' in e && e.reason === 'worker-crash')).toBe(true);
      expect(crashed.length).toBeGreaterThan(0);
      expect(crashed.length).toBeLessThan(6); // the other worker's connections were untouched
      const survivors = [...before].filter((n) => !crashed.some((e) => 'node' in e && e.node === n));
      for (const s of survivors) expect(a.allNodes).toContain(s);
      await until(() => a.allNodes.length === 6, 'back to six after one crash');
      // A storm: five crashes in a row, 300 ms apart, alternating workers.
      for (let k = 0; k < 5; k++) {
        const workers = workersOf(executor);
        if (workers.length > 0) await workers[k % workers.length].terminate();
        await new Promise((r) => setTimeout(r, 300));
      }
      await until(() => a.allNodes.length === 6, 'back to six after the storm');
      const afterStorm = received;
      await until(() => received > afterStorm + 40, 'messages flowing again');
      const reasons = new Set(events.filter((e) => e.type === 'inbound-node-disconnected' || e.type === 'outbound-node-disconnected').map((e) => ('reason' in e ? e.reason : '')));
      expect([...reasons]).toEqual(['worker-crash']);
      expect(workersOf(executor).length).toBeGreaterThan(0);
    } finally {
      clearInterval(ticker);
    }
  }, 180_000);
});
