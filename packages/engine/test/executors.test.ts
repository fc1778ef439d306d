import { firstValueFrom, filter, toArray, takeWhile } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessExecutor, PoolExecutor, type Executor, type PeerEvent } from '../src/index.js';
import { lineProtocolModule } from './fixtures/line-protocol.js';
import { startLineServer } from './fixtures/line-server.js';
import { acknowledgeLoopbackRefusals, recordedViolations } from '../../../test/support/loopback.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.each([
  ['in-process', () => new InProcessExecutor()],
  ['piscina pool', () => new PoolExecutor({ threads: 1, maxConnections: 100 })],
])('%s executor', (_name, make: () => Executor) => {
  it('runs many peers, merges their events, forwards commands and stops them all', async () => {
    const server = await startLineServer('normal');
    cleanups.push(() => server.close());
    const executor = make();
    const peers = 20;
    const ended = firstValueFrom(
      executor.events$.pipe(
        filter((e) => e.type === 'state' && (e.state === 'closed' || e.state === 'failed')),
        takeWhile((_, i) => i < peers - 1, true),
        toArray(),
      ),
    );
    const all: PeerEvent[] = [];
    executor.events$.subscribe((e) => all.push(e));
    const handles = Array.from({ length: peers }, (_, i) =>
      executor.spawn({ id: `peer-${i}`, host: '127.0.0.1', port: server.port, protocol: lineProtocolModule, config: { name: `us-${i}` } }),
    );
    await until(() => all.filter((e) => e.type === 'state' && e.state === 'ready').length === peers);
    for (const h of handles) h.command(42);
    await until(() => all.filter((e) => e.type === 'rtt').length === peers);
    await executor.close();
    const ends = await ended;
    expect(ends).toHaveLength(peers);
    expect(new Set(ends.map((e) => e.peer)).size).toBe(peers);
    expect(ends.every((e) => e.type === 'state' && e.state === 'closed' && e.reason === 'stopped')).toBe(true);
    expect(all.filter((e) => e.type === 'height')).toHaveLength(peers);
  });

  it('runs under the loopback guard: a non-loopback dial fails, it never leaves the machine', async () => {
    const executor = make();
    cleanups.push(() => executor.close());
    const peer = executor.spawn({ id: 'far', host: '203.0.113.7', port: 8333, protocol: lineProtocolModule, config: { name: 'us' } });
    const end = await peer.done;
    expect(end).toMatchObject({ state: 'failed', reason: 'unreachable' });
    expect(end.detail).toMatch(/loopback guard/);
    // The refusal was recorded wherever the peer ran (this thread or a pool worker); it was meant.
    expect(recordedViolations().at(-1)).toMatch(/TCP connect to 203\.0\.113\.7 refused/);
    acknowledgeLoopbackRefusals();
  });

  it('reports a protocol module that does not load as a failed peer, and carries on', async () => {
    const executor = make();
    cleanups.push(() => executor.close());
    const events: PeerEvent[] = [];
    executor.events$.subscribe((e) => events.push(e));
    const bad = executor.spawn({ id: 'bad', host: '127.0.0.1', port: 1, protocol: new URL('./fixtures/missing.js', import.meta.url).href, config: {} });
    expect(await bad.done).toMatchObject({ state: 'failed', reason: 'internal' });
    expect(events.at(-1)).toMatchObject({ type: 'state', state: 'failed', reason: 'internal', peer: 'bad' });
  });
});

async function until(check: () => boolean, timeoutMs = 15_000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('piscina pool executor, when a worker dies', () => {
  it('fails its peers with worker-crash, and new peers run on a fresh worker', async () => {
    const server = await startLineServer('normal');
    cleanups.push(() => server.close());
    const executor = new PoolExecutor({ threads: 1, maxConnections: 10 });
    cleanups.push(() => executor.close());
    const events: PeerEvent[] = [];
    executor.events$.subscribe((e) => events.push(e));
    const spec = (id: string) => ({ id, host: '127.0.0.1', port: server.port, protocol: lineProtocolModule, config: { name: id } });
    const a = executor.spawn(spec('a'));
    const b = executor.spawn(spec('b'));
    await until(() => events.filter((e) => e.type === 'state' && e.state === 'ready').length === 2);
    a.command('crash-worker');
    expect(await a.done).toMatchObject({ state: 'failed', reason: 'worker-crash' });
    expect(await b.done).toMatchObject({ state: 'failed', reason: 'worker-crash' });
    const c = executor.spawn(spec('c'));
    await until(() => events.some((e) => e.peer === 'c' && e.type === 'state' && e.state === 'ready'));
    c.stop();
    expect(await c.done).toMatchObject({ state: 'closed', reason: 'stopped' });
  });
});
