// The realistic simnet (issue 11 §1): a seeded plan, gossip over the whole plan, shards, churn, latency,
// hostile kinds. Real sockets on 127.100.0.0/16 and up (other tests use 127.0-127.9 and 127.6x-127.8x).
// The forked-shard test runs the built shard entry: `npm run build` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload, type AddrV2Entry, type AddrV2Message } from '@peerscope/bitcoin';
import {
  MAINNET_SOFTWARE, addrv2Payload, gossipEntries, staleAddresses, isSteady, parseHostileMix, HostileMixError, planNetwork, startRealisticSimnet,
  type PlannedNode, type RealisticSimnet,
} from '../src/index.js';
import { until } from '../../../test/support/until.js';
import { handshake, refused } from './support/raw-peer.js';

const OVERLAY = new Set(['torv3', 'i2p', 'cjdns']);
const isNonRoutable = (host: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|169\.254\.|fe[89ab][0-9a-f]:|fd[0-9a-f]{2}:)/.test(host);

describe('the plan (no sockets)', () => {
  const options = { seed: 7, nodes: 2_000, port: 18444, altPorts: [18445, 18446], hostile: { stall: 0.05, garbage: 0.02 } };

  it('is the same for the same seed and different for another', () => {
    const a = planNetwork(options);
    expect(planNetwork(options)).toEqual(a);
    const other = planNetwork({ ...options, seed: 8 });
    expect(other.map((n) => n.userAgent)).not.toEqual(a.map((n) => n.userAgent));
    const time = 1_700_000_000;
    expect(gossipEntries(a, 5, 7, time)).toEqual(gossipEntries(a, 5, 7, time));
    expect(gossipEntries(a, 5, 7, time)).not.toEqual(gossipEntries(other, 5, 8, time));
  });

  it('gossips a finite set of stale, non-routable and overlay addresses, as real answers repeat themselves', () => {
    const plan = planNetwork(options);
    const live = new Set(plan.map((n) => n.address));
    const stale = new Set(staleAddresses(plan));
    expect(stale.size).toBe(1_000); // 0.5 per node
    for (const a of stale) expect(live.has(a), a).toBe(false);
    const junk = new Set<string>();
    let entries = 0;
    for (let i = 0; i < 400; i++) {
      for (const e of gossipEntries(plan, i, 7, 1_700_000_000)) {
        entries++;
        const address = `${e.host}:${e.port}`;
        if (live.has(address)) continue;
        if (e.network === 'ipv4' && e.host.startsWith('127.')) expect(stale.has(address), address).toBe(true);
        else junk.add(address);
      }
    }
    expect(entries).toBe(400_000);
    // Pools: 0.1 × 2,000 non-routable + 0.3 × 2,000 overlay at most, though 400 answers carried ~60,000 such entries.
    expect(junk.size).toBeLessThanOrEqual(800);
    expect(junk.size).toBeGreaterThan(600);
  });

  it('writes its addrv2 answer from cached entry bytes that decode to exactly its entries', () => {
    const plan = planNetwork(options);
    for (const i of [0, 17, 1_999]) {
      const decoded = decodePayload('addrv2', addrv2Payload(plan, i, 7, 1_700_000_000)) as AddrV2Message;
      expect(decoded.addresses).toEqual(gossipEntries(plan, i, 7, 1_700_000_000));
      expect(decoded.addresses).toHaveLength(1_000);
    }
  });

  it('has user agents, ports and hostile kinds in the configured proportions', () => {
    const plan = planNetwork(options);
    const total = MAINNET_SOFTWARE.reduce((s, x) => s + x.share, 0);
    for (const software of MAINNET_SOFTWARE) {
      const seen = plan.filter((n) => n.userAgent === software.userAgent).length / plan.length;
      expect(Math.abs(seen - software.share / total), software.userAgent).toBeLessThan(0.03);
      for (const n of plan.filter((x) => x.userAgent === software.userAgent)) expect(n.version).toBe(software.version);
    }
    const offDefault = plan.filter((n) => n.port !== 18444).length / plan.length;
    expect(offDefault).toBeGreaterThan(0.1);
    expect(offDefault).toBeLessThan(0.2);
    const kinds = (k: string) => plan.filter((n) => n.hostile === k).length / plan.length;
    expect(kinds('stall')).toBeGreaterThan(0.035);
    expect(kinds('stall')).toBeLessThan(0.065);
    expect(kinds('garbage')).toBeGreaterThan(0.01);
    expect(kinds('garbage')).toBeLessThan(0.03);
    expect(plan.filter((n) => n.hostile && n.hostile !== 'stall' && n.hostile !== 'garbage')).toEqual([]);
    // Pruned nodes: NODE_NETWORK_LIMITED without NODE_NETWORK.
    expect(plan.some((n) => (n.services & 1) === 0 && (n.services & 1024) !== 0)).toBe(true);
    expect(plan.some((n) => n.lag > 0)).toBe(true);
  });

  it('parses the CLI form of a hostile mix, and names what is wrong', () => {
    expect(parseHostileMix('stall=0.01,garbage=0.005')).toEqual({ stall: 0.01, garbage: 0.005 });
    expect(() => parseHostileMix('nope=0.1')).toThrow(HostileMixError);
    expect(() => parseHostileMix('nope=0.1')).toThrow(/unknown hostile kind "nope"/);
    expect(() => parseHostileMix('stall=2')).toThrow(/not a fraction/);
    expect(() => parseHostileMix('stall=0.6,garbage=0.6')).toThrow(/add up to/);
  });
});

describe('a 300-node network in one process', () => {
  let net: RealisticSimnet;
  beforeAll(async () => {
    net = await startRealisticSimnet({ seed: 3, nodes: 300, baseHost: '127.100.0.1', latencyMs: [20, 120], propagationMs: [0, 50], hostile: { garbage: 0.05 } });
  });
  afterAll(() => net?.close());

  const honest = (p: (n: PlannedNode) => boolean = () => true) => net.nodes.filter((n) => isSteady(n) && p(n));

  it('answers the handshake with each node\'s planned version, agent, services and height', async () => {
    expect(net.seeds.length).toBe(3);
    for (const node of honest().slice(0, 25)) {
      const { peer, version } = await handshake(node.address);
      expect(version).toMatchObject({ version: node.version, userAgent: node.userAgent, services: BigInt(node.services), startHeight: net.height() - node.lag });
      peer.close();
    }
  });

  it('answers getaddr with stale, non-routable and overlay entries in addrv2, and only IP entries in addr', async () => {
    const node = honest((n) => n.version >= 70016)[0];
    const v2 = await handshake(node.address, { addrv2: true });
    v2.peer.send({ command: 'getaddr' });
    const { addresses } = await v2.peer.next('addrv2');
    v2.peer.close();
    expect(addresses.length).toBeLessThanOrEqual(1_000);
    const planned = new Set(net.nodes.map((n) => n.address));
    const live = addresses.filter((a) => planned.has(`${a.host}:${a.port}`));
    expect(new Set(live.map((a) => a.host)).size).toBe(299); // every other node: the plan is smaller than an answer
    expect(live.length).toBeGreaterThan(299); // and some of them twice
    expect(addresses.filter((a) => OVERLAY.has(a.network)).length).toBeGreaterThan(50);
    expect(addresses.some((a) => a.network === 'torv3' && a.host.endsWith('.onion'))).toBe(true);
    expect(addresses.some((a) => a.network === 'i2p' && a.host.endsWith('.b32.i2p') && a.port === 0)).toBe(true);
    expect(addresses.some((a) => a.network === 'cjdns' && a.host.startsWith('fc'))).toBe(true);
    expect(addresses.filter((a) => isNonRoutable(a.host)).length).toBeGreaterThan(20);
    const stale = addresses.filter((a: AddrV2Entry) => a.host.startsWith('127.') && !planned.has(`${a.host}:${a.port}`));
    expect(stale.length).toBeGreaterThan(50);
    expect(await refused(`${stale[0].host}:${stale[0].port}`)).toBe(true);

    const v1 = await handshake(node.address);
    v1.peer.send({ command: 'getaddr' });
    const addr = await v1.peer.next('addr');
    v1.peer.close();
    expect(addr.addresses.length).toBe(addresses.length - addresses.filter((a) => OVERLAY.has(a.network)).length);
    expect(addr.addresses.some((a) => a.host.startsWith('fc'))).toBe(false);
  });

  it('answers once per connection, as Core does', async () => {
    const { peer } = await handshake(net.seeds[1]);
    peer.send({ command: 'getaddr' });
    await peer.next('addr');
    peer.send({ command: 'getaddr' });
    peer.send({ command: 'ping', nonce: 9n });
    await peer.next('pong');
    expect(peer.messages.some((m) => m.command === 'addr')).toBe(false);
    peer.close();
  });

  it('writes each answer after the node\'s planned latency (a lower bound)', async () => {
    const node = honest().sort((a, b) => b.latencyMs - a.latencyMs)[0];
    const { peer } = await handshake(node.address);
    await peer.next('sendheaders');
    const sent = performance.now();
    peer.send({ command: 'ping', nonce: 1n });
    await peer.next('pong');
    expect(performance.now() - sent).toBeGreaterThanOrEqual(node.latencyMs - 1);
    peer.close();
  });

  it('announces a mined block, each node after its own propagation delay', async () => {
    const node = honest((n) => n.lag === 0)[2];
    const { peer } = await handshake(node.address);
    await peer.next('sendheaders');
    peer.send({ command: 'sendheaders' });
    const height = net.mine();
    const { headers } = await peer.next('headers');
    expect(headers.length).toBe(1);
    const again = await handshake(node.address);
    expect(again.version.startHeight).toBe(height);
    peer.close();
    again.peer.close();
  });

  it('hostile nodes play their planned kind after an honest handshake', async () => {
    const node = net.nodes.find((n) => n.hostile === 'garbage')!;
    const { peer, version } = await handshake(node.address);
    expect(version.userAgent).toBe(node.userAgent);
    await until(() => peer.decodeError !== undefined, 'garbage after the handshake');
    peer.close();
  });
});

describe('hostile kinds during the handshake, and a hostile client', () => {
  let net: RealisticSimnet;
  beforeAll(async () => {
    net = await startRealisticSimnet({ seed: 9, nodes: 60, baseHost: '127.103.0.1', latencyMs: [0, 10], hostile: { 'version-twice': 0.2, 'self-connection': 0.2 } });
  });
  afterAll(() => net?.close());

  it('version-twice sends a second version after the handshake; self-connection answers with our own nonce', async () => {
    const twice = net.nodes.find((n) => n.hostile === 'version-twice')!;
    const a = await handshake(twice.address);
    await a.peer.next('verack');
    expect((await a.peer.next('version')).userAgent).toBe(twice.userAgent);
    a.peer.close();
    const self = net.nodes.find((n) => n.hostile === 'self-connection')!;
    const b = await handshake(self.address);
    expect(b.version.nonce).toBe(42n);
    b.peer.close();
  });

  it('drops a client that declares a frame far larger than any a client needs to send', async () => {
    const node = net.nodes.find(isSteady)!;
    const { peer } = await handshake(node.address);
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xdab5bffa, 0);
    header.write('inv', 4, 'ascii');
    header.writeUInt32LE(3_000_000, 16);
    const closed = new Promise((r) => peer.socket.once('close', r));
    peer.socket.write(header);
    await closed;
  });
});

describe('a network forked over two shard processes', () => {
  let net: RealisticSimnet;
  beforeAll(async () => {
    net = await startRealisticSimnet({ seed: 11, nodes: 300, perProcess: 150, baseHost: '127.101.0.1', latencyMs: [0, 10] });
  }, 60_000);
  afterAll(() => net?.close());

  it('gossips addresses of the other shard, and they answer', async () => {
    expect(net.processes).toBe(2);
    const { peer } = await handshake(net.nodes[0].address);
    peer.send({ command: 'getaddr' });
    const { addresses } = await peer.next('addr');
    peer.close();
    const byAddress = new Map(net.nodes.map((n) => [n.address, n]));
    const other = addresses.map((a) => byAddress.get(`${a.host}:${a.port}`)).find((n) => n !== undefined && n.index >= 150 && isSteady(n))!;
    expect(other).toBeDefined();
    const far = await handshake(other.address);
    expect(far.version.userAgent).toBe(other.userAgent);
    await until(() => far.peer.messages.some((m) => m.command === 'verack'), 'verack from the other shard');
    expect(await net.connections()).toBeGreaterThanOrEqual(1);
    far.peer.close();
  });
});

describe('churn', () => {
  let net: RealisticSimnet;
  beforeAll(async () => {
    net = await startRealisticSimnet({ seed: 5, nodes: 40, baseHost: '127.102.0.1', latencyMs: [0, 5], churn: { fraction: 0.3, downMs: 400, upMs: 400 } });
  });
  afterAll(() => net?.close());

  it('a churning node refuses while down and answers again when back', async () => {
    const node = net.nodes.find((n) => n.churn)!;
    expect(node).toBeDefined();
    const deadline = Date.now() + 15_000;
    const waitFor = async (want: boolean, what: string) => {
      while ((await refused(node.address)) !== want) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${node.address} ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitFor(true, 'to go down');
    await waitFor(false, 'to come back');
    const { version, peer } = await handshake(node.address).catch(async () => handshake(node.address));
    expect(version.userAgent).toBe(node.userAgent);
    peer.close();
  });
});
