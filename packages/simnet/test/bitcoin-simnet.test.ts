// The simulated Bitcoin network against peerscope's own monitor (scale, gossip, heights) and a raw
// client (the wire answers). Real-implementation proof lives in test/bitcoin-bcoin.test.ts; this is for scale.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BitcoinCodec, REGTEST, bitcoin, blockHash, hashFromHex, hashToHex, type BitcoinMessage } from '@peerscope/bitcoin';
import { createMonitor, type Monitor, type PeerEvent } from '@peerscope/engine';
import { until } from '../../../test/support/until.js';
import { REGTEST_GENESIS_HASH, SIMNET_USER_AGENTS, startBitcoinSimnet, type BitcoinSimnet } from '../src/index.js';

describe('a monitor seeded with one sim peer', () => {
  const N = 50;
  let simnet: BitcoinSimnet;
  let monitor: Monitor;
  const events: PeerEvent[] = [];

  beforeAll(async () => {
    // 127.1.0.x: apart from the bcoin tests' 127.0.0.x hosts, which may run at the same time.
    simnet = await startBitcoinSimnet({ peers: N, baseHost: '127.1.0.1', laggingFraction: 0.1, startHeight: 3 });
    monitor = createMonitor({
      ...bitcoin({ network: 'regtest' }), seeds: [simnet.addresses[0]], target: N, threads: 1, intervalMs: 200, allow: ['127.0.0.0/8'],
    });
    monitor.events$.subscribe((e) => events.push(e));
    await monitor.start();
  });

  afterAll(async () => {
    await monitor?.stop();
    await simnet?.close();
  });

  const ready = () => monitor.snapshot().peers.filter((p) => p.state === 'ready');

  it(`learns the other ${N - 1} through getaddr and keeps all ${N} ready`, async () => {
    await until(() => ready().length === N, `${N} ready peers`);
    expect(new Set(ready().map((p) => p.address))).toEqual(new Set(simnet.addresses));
    const learned = new Set(events.flatMap((e) => (e.type === 'addresses' ? e.addresses : [])));
    for (const a of simnet.addresses.slice(1)) expect(learned).toContain(a);
    // Each answer is at most 20 other peers, never the answering peer itself.
    for (const e of events) {
      if (e.type !== 'addresses') continue;
      expect(e.addresses.length).toBeLessThanOrEqual(20);
      expect(e.addresses).not.toContain(e.address);
    }
  });

  it('shows the user-agent variants in their round-robin proportions', async () => {
    await until(() => ready().length === N, `${N} ready peers`);
    const expected: Record<string, number> = {};
    for (let i = 0; i < N; i++) expected[SIMNET_USER_AGENTS[i % SIMNET_USER_AGENTS.length]] = (expected[SIMNET_USER_AGENTS[i % SIMNET_USER_AGENTS.length]] ?? 0) + 1;
    expect(monitor.snapshot().userAgents).toEqual(expected);
    expect(expected).toEqual({ '/simnet:0.1.0/': 26, '/simnet:0.2.0/': 12, '/simnet:0.2.1(lite)/': 12 });
  });

  it('raises every peer\'s best height and the consensus height on mine(), laggards one block behind', async () => {
    await until(() => ready().length === N, `${N} ready peers`);
    const lagging = new Set(simnet.peers.filter((p) => p.lag > 0).map((p) => p.address));
    expect(lagging.size).toBe(5);
    for (const blocks of [1, 2]) {
      const expectedHeight = simnet.mine(blocks);
      await until(() => monitor.snapshot().consensus?.height === expectedHeight, `consensus at ${expectedHeight}`);
      await until(() => ready().every((p) => p.bestHeight === expectedHeight - (lagging.has(p.address) ? 1 : 0)), `every peer at ${expectedHeight} (laggards one below)`);
      expect(monitor.snapshot().consensus).toEqual({ height: expectedHeight, peers: N - lagging.size });
    }
  });
});

describe('hostile sim peers', () => {
  it('fail with their protocol reason while the honest ones stay ready', async () => {
    const simnet = await startBitcoinSimnet({ peers: 12, baseHost: '127.1.1.1', hostileFraction: 0.25, hostileBehaviours: ['bad-magic', 'bad-checksum', 'malformed'] });
    const monitor = createMonitor({
      ...bitcoin({ network: 'regtest' }), seeds: simnet.addresses, target: 12, threads: 0, intervalMs: 200, allow: ['127.0.0.0/8'],
      backoff: { baseMs: 60_000, maxMs: 60_000 },
    });
    const failures = new Map<string, string>();
    monitor.events$.subscribe((e) => {
      if (e.type === 'state' && e.state === 'failed') failures.set(e.address, e.reason ?? '');
    });
    try {
      await monitor.start();
      const hostile = simnet.peers.filter((p) => p.hostile);
      expect(hostile.map((p) => p.hostile)).toEqual(['bad-magic', 'bad-checksum', 'malformed']);
      await until(() => failures.size === 3 && monitor.snapshot().ready === 9, '3 failed, 9 ready');
      for (const p of hostile) expect(failures.get(p.address)).toBe(p.hostile);
    } finally {
      await monitor.stop();
      await simnet.close();
    }
  });
});

describe('the wire, seen from a raw client', () => {
  let simnet: BitcoinSimnet;
  beforeAll(async () => {
    simnet = await startBitcoinSimnet({ peers: 2, baseHost: '127.1.2.1', startHeight: 5, userAgents: ['/simnet:test/'] });
  });
  afterAll(async () => simnet?.close());

  it('shakes hands like Core, answers ping, getaddr once, and getheaders with a linked chain from regtest genesis', async () => {
    const [host, port] = simnet.addresses[0].split(':');
    const socket = net.connect(Number(port), host);
    const codec = new BitcoinCodec({ magic: REGTEST.magic });
    const inbox: BitcoinMessage[] = [];
    socket.on('data', (chunk) => inbox.push(...codec.decode(chunk).map((d) => d.message)));
    const send = (m: BitcoinMessage) => socket.write(codec.encode(m).bytes);
    const next = async (command: string) => {
      await until(() => inbox.some((m) => m.command === command), command, 5_000);
      return inbox.splice(inbox.findIndex((m) => m.command === command), 1)[0] as never;
    };
    await new Promise((r) => socket.once('connect', r));
    try {
      send({
        command: 'version', version: 70016, services: 0n, timestamp: 0n, receiver: { services: 0n, host, port: Number(port) },
        sender: { services: 0n, host: '::', port: 0 }, nonce: 7n, userAgent: '/raw/', startHeight: 0, relay: false,
      });
      const v = await next('version');
      expect(v).toMatchObject({ version: 70016, userAgent: '/simnet:test/', startHeight: 5, services: 0x409n });
      await until(() => inbox.some((m) => m.command === 'verack'), 'verack');
      expect(inbox.map((m) => m.command)).toEqual(['wtxidrelay', 'sendaddrv2', 'verack']);
      send({ command: 'verack' });
      send({ command: 'ping', nonce: 42n });
      expect(await next('pong')).toMatchObject({ nonce: 42n });
      send({ command: 'getaddr' });
      const addr = await next('addr');
      expect((addr as { addresses: { host: string; port: number }[] }).addresses.map((a) => `${a.host}:${a.port}`)).toEqual([simnet.addresses[1]]);
      send({ command: 'getaddr' });
      send({ command: 'getheaders', version: 70016, locator: [hashFromHex(REGTEST_GENESIS_HASH)], hashStop: new Uint8Array(32) });
      const { headers } = (await next('headers')) as { headers: Parameters<typeof blockHash>[0][] };
      expect(inbox.some((m) => m.command === 'addr')).toBe(false); // the second getaddr was ignored
      expect(headers).toHaveLength(5);
      let prev = REGTEST_GENESIS_HASH;
      for (const h of headers) {
        expect(hashToHex(h.prevBlock)).toBe(prev);
        prev = hashToHex(blockHash(h));
        expect(blockHash(h)[31]).toBeLessThanOrEqual(0x7f); // regtest proof of work
      }
      // Without sendheaders a new block is announced by inv.
      simnet.mine();
      const inv = (await next('inv')) as { items: { type: number; hash: Uint8Array }[] };
      expect(inv.items).toHaveLength(1);
      expect(inv.items[0].type).toBe(2);
    } finally {
      socket.destroy();
    }
  });
});
