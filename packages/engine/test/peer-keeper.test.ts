import { afterEach, describe, expect, it } from 'vitest';
import { AddressBook, AddressFilter, createMonitor, parseCidr, type PeerEvent } from '../src/index.js';
import { lineProtocolModule } from './fixtures/line-protocol.js';
import { startLineServer } from './fixtures/line-server.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('address filter', () => {
  it('allows by CIDR, deny wins, non-IP never dialled', () => {
    const f = new AddressFilter(['127.0.0.0/8', '::1/128'], ['127.0.0.66/32']);
    expect(f.permits('127.1.2.3')).toBe(true);
    expect(f.permits('::1')).toBe(true);
    expect(f.permits('127.0.0.66')).toBe(false);
    expect(f.permits('8.8.8.8')).toBe(false);
    expect(f.permits('abcdef.onion')).toBe(false);
    expect(new AddressFilter().permits('8.8.8.8')).toBe(true);
    expect(() => parseCidr('127.0.0.0/33')).toThrow(/prefix/);
    expect(() => parseCidr('banana')).toThrow(/not a CIDR/);
  });
});

describe('address book', () => {
  it('prefers untried seeds, then untried learned, then backed-off failures', () => {
    const book = new AddressBook({ baseMs: 1000, maxMs: 8000 });
    const seed = book.add('127.0.0.1', 1, 'seed', true)!;
    book.add('127.0.0.2', 1, 'learned', true);
    book.add('8.8.8.8', 1, 'learned', false);
    expect(book.next(0)?.address).toBe('127.0.0.1:1');
    book.markDialling(seed);
    expect(book.next(0)?.address).toBe('127.0.0.2:1'); // never the same address twice at once
    book.markEnded(seed, 0);
    expect(seed.retryAt).toBe(1000);
    const learned = book.get('127.0.0.2:1')!;
    book.markDialling(learned);
    expect(book.next(500)).toBeUndefined();
    expect(book.next(1000)?.address).toBe('127.0.0.1:1');
    book.markDialling(seed);
    book.markEnded(seed, 1000);
    expect(seed.retryAt).toBe(3000); // doubled
  });
});

describe('session keeper (monitor over the line protocol)', () => {
  it('keeps N peers from seeds, replaces a dead server with untried ones, never dials beyond the filter', async () => {
    const servers = await Promise.all([1, 2, 3, 4].map(() => startLineServer('normal')));
    cleanups.push(() => Promise.all(servers.map((s) => s.close())));
    const monitor = createMonitor({
      protocol: lineProtocolModule, config: { name: 'keeper' }, defaultPort: 1, target: 2, threads: 0, intervalMs: 100,
      seeds: servers.map((s) => `127.0.0.1:${s.port}`), allow: ['127.0.0.0/8'], backoff: { baseMs: 50, maxMs: 200 },
    });
    const events: PeerEvent[] = [];
    monitor.events$.subscribe((e) => events.push(e));
    await monitor.start();
    cleanups.push(() => monitor.stop());
    const readyAddresses = () => {
      const s = monitor.snapshot();
      return s.peers.filter((p) => p.state === 'ready').map((p) => p.address);
    };
    await until(() => readyAddresses().length === 2);
    const first = readyAddresses();
    // Kill the server behind one of the ready peers: the keeper must replace it and keep 2 ready.
    const victim = servers.find((s) => first[0].endsWith(`:${s.port}`))!;
    await victim.close();
    await until(() => readyAddresses().length === 2 && !readyAddresses().includes(first[0]));
    const snap = monitor.snapshot();
    expect(snap.ready).toBe(2);
    expect(snap.failures['closed-by-peer']).toBeGreaterThanOrEqual(1);
    // never two live connections to the same address
    const live = snap.peers.filter((p) => p.state === 'ready').map((p) => p.address);
    expect(new Set(live).size).toBe(live.length);
    const final = await monitor.stop();
    expect(final.ready).toBe(0);
    expect(events.filter((e) => e.type === 'state' && e.state === 'connecting').every((e) => e.address.startsWith('127.0.0.1:'))).toBe(true);
  });

  it('resolves hostname seeds, and falls back to DNS seeds when no seed is given', async () => {
    const server = await startLineServer('normal');
    cleanups.push(() => server.close());
    for (const seeding of [{ seeds: [`localhost:${server.port}`] }, { dnsSeeds: ['seed.example'], resolve: async () => ['127.0.0.1'] }]) {
      const monitor = createMonitor({ protocol: lineProtocolModule, config: { name: 'k' }, defaultPort: server.port, target: 1, threads: 0, ...seeding });
      const events: PeerEvent[] = [];
      monitor.events$.subscribe((e) => events.push(e));
      await monitor.start();
      await until(() => events.some((e) => e.type === 'state' && e.state === 'ready'));
      await monitor.stop();
      expect(events.find((e) => e.type === 'state' && e.state === 'ready')?.address).toMatch(new RegExp(`^(127\\.0\\.0\\.1|\\[::1\\]):${server.port}$`));
    }
  });

  it('dials addresses from discovery (learn), with the identity the address carries handed to the protocol', async () => {
    const server = await startLineServer('normal');
    cleanups.push(() => server.close());
    const monitor = createMonitor({ protocol: lineProtocolModule, config: { name: 'k' }, defaultPort: 1, target: 1, threads: 1, allow: ['127.0.0.0/8'] });
    const events: PeerEvent[] = [];
    monitor.events$.subscribe((e) => events.push(e));
    await monitor.start();
    cleanups.push(() => monitor.stop());
    monitor.learn([`node-7f3a@127.0.0.1:${server.port}`, 'node-99@203.0.113.1:30303']);
    await until(() => events.some((e) => e.type === 'handshake'));
    expect(events.find((e) => e.type === 'handshake')).toMatchObject({ address: `127.0.0.1:${server.port}`, info: { details: { key: 'node-7f3a' } } });
    const snap = monitor.snapshot();
    expect(snap.addresses.known).toBe(2); // the public one is known, never dialled
    expect(snap.peers.map((p) => p.address)).toEqual([`127.0.0.1:${server.port}`]);
  });

  it('reports an unresolvable seed as a warning, not a crash', async () => {
    const monitor = createMonitor({
      protocol: lineProtocolModule, config: { name: 'keeper' }, defaultPort: 1, target: 1, threads: 0,
      seeds: ['seed.invalid:8333'], resolve: async () => { throw new Error('ENOTFOUND'); },
    });
    await monitor.start();
    await monitor.stop();
    expect(monitor.keeper.warnings[0]).toMatch(/seed.invalid: ENOTFOUND/);
  });
});

async function until(check: () => boolean, timeoutMs = 15_000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
