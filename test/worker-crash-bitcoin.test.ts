// A worker thread terminated from outside under a Bitcoin monitor (issue 9, section 3): its peers fail
// as worker-crash, a fresh worker takes its place, the keeper refills to its target, and the peers on
// the other worker never notice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, PoolExecutor, type Monitor, type PeerEvent } from '@peerscope/engine';
import { startBitcoinSimnet, type BitcoinSimnet } from '@peerscope/simnet';
import { until } from './support/until.js';

describe('Bitcoin monitor on a 2-worker pool, when a worker is terminated', () => {
  let simnet: BitcoinSimnet;
  let monitor: Monitor;
  let executor: PoolExecutor;
  const events: PeerEvent[] = [];

  beforeAll(async () => {
    simnet = await startBitcoinSimnet({ peers: 30, baseHost: '127.1.7.1' });
    executor = new PoolExecutor({ threads: 2 });
    monitor = createMonitor({ ...bitcoin({ network: 'regtest' }), seeds: simnet.addresses, target: 20, executor, intervalMs: 200, allow: ['127.0.0.0/8'], backoff: { baseMs: 100, maxMs: 500 } });
    monitor.events$.subscribe((e) => events.push(e));
    await monitor.start();
  });
  afterAll(async () => {
    await monitor?.stop();
    await simnet?.close();
  });

  it('fails the dead worker\'s peers as worker-crash, leaves the others alone, and refills to 20 ready', async () => {
    const ready = () => new Set(events.filter((e) => e.type === 'state' && e.state === 'ready').map((e) => e.peer));
    const ended = () => new Set(events.filter((e) => e.type === 'state' && (e.state === 'failed' || e.state === 'closed')).map((e) => e.peer));
    await until(() => [...ready()].filter((p) => !ended().has(p)).length === 20, '20 ready');
    const [onDead, onOther] = executor.workerLoad;
    expect(onDead + onOther).toBe(20);
    expect(onDead).toBeGreaterThan(0);
    const before = events.length;
    // From outside, as an operator's kill or a native crash would: piscina's own Worker for thread 0.
    const pool = (executor as unknown as { pool: { threads: Array<{ terminate(): Promise<number> }> } }).pool;
    await pool.threads[0].terminate();
    await until(() => events.slice(before).filter((e) => e.type === 'state' && e.state === 'failed').length === onDead, 'the dead worker\'s peers failed');
    const failures = events.slice(before).filter((e) => e.type === 'state' && e.state === 'failed');
    expect(failures.every((e) => e.type === 'state' && e.reason === 'worker-crash')).toBe(true);
    // The other worker's peers: still ready, never ended.
    const crashed = new Set(failures.map((e) => e.peer));
    const survivors = [...ready()].filter((p) => !ended().has(p));
    expect(survivors).toHaveLength(onOther);
    expect(survivors.some((p) => crashed.has(p))).toBe(false);
    // The keeper replaces them on the fresh worker.
    await until(() => [...ready()].filter((p) => !ended().has(p)).length === 20, 'back to 20 ready');
    expect(executor.workerLoad.reduce((a, b) => a + b, 0)).toBe(20);
  });
});
