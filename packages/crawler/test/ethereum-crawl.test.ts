// The Ethereum crawl against twelve @ethereumjs/devp2p nodes on 127.90.0.x (DPT for discv4, RLPx with
// eth/68 answering Status): most are known only to the node they bootstrapped from, so the crawl must
// walk findnode to find them; three are on another chain, one has its RLPx port closed, one is full. Then a discv4
// node that floods findnode answers. The loopback guard fails the test if anything leaves 127.0.0.0/8.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePacket, encodePacket, nodeIdHash, type NeighbourNode } from '@peerscope/ethereum';
import { expiration } from '../../ethereum/src/discv4/packet.js';
import { KeyPair } from '../../ethereum/src/rlpx/crypto.js';
import { hex } from '../../ethereum/src/bytes.js';
import { mainnetToPrague } from '../../ethereum/test/support.js';
import {
  crawlEthereum, ethereumCsv, ETHEREUM_CSV_COLUMNS, nodesJson, summarizeEthereum, type EthereumCrawlProgress, type EthereumCrawlResult,
} from '../src/index.js';
import { csvFields } from './fixtures/csv.js';
import { HEAD, OTHER_CHAIN_ID, OTHER_GENESIS, startNetwork, type TestNode } from './fixtures/devp2p-node.js';

describe('crawling twelve devp2p nodes from one bootnode', () => {
  const nodes: TestNode[] = [];
  let result: EthereumCrawlResult;
  const progress: EthereumCrawlProgress[] = [];

  beforeAll(async () => {
    // a ← b, c; b ← d, e; d ← f, g*; f ← h*, k; c ← i*; e ← j (closed RLPx); k ← l (full). * another chain.
    nodes.push(...await startNetwork('127.90.0.', [
      {}, { from: [1] }, { from: [1] }, { from: [2] }, { from: [2] }, { from: [4] }, { from: [4], other: true }, { from: [6], other: true },
      { from: [3], other: true }, { from: [5], rlpx: false }, { from: [6] }, { from: [11], maxPeers: 0 },
    ], { clientId: (i) => `ethereumjs-crawl/v10.0.0/node-${i}` }));
    const a = nodes[0];
    const crawler = crawlEthereum({
      bootnodes: [a.enode], network: mainnetToPrague, threads: 0, concurrency: 4, allow: ['127.0.0.0/8'],
      timeouts: { connectMs: 3_000, handshakeMs: 5_000 }, progressIntervalMs: 100,
    });
    crawler.progress$.subscribe((p) => progress.push(p));
    result = await crawler.run();
  }, 60_000);
  afterAll(() => {
    for (const n of nodes) n.close();
  });

  const byId = () => new Map(result.nodes.map((n) => [n.id, n]));

  it('walks findnode to every DPT node, and ends because nothing is left', () => {
    expect(result.ended).toBe('done');
    const found = byId();
    for (const n of nodes) {
      expect(found.get(n.id), n.host).toMatchObject({ host: n.host, port: n.port, udpPort: n.port, discovery: 'answered' });
      expect(found.get(n.id)!.firstResponse).toBeGreaterThan(0);
    }
    expect(found.get(nodes[0].id)!.source).toBe('bootnode');
    expect(nodes.slice(1).every((n) => found.get(n.id)!.source === 'learned')).toBe(true);
    // Nothing but the twelve (and never ourselves).
    expect(result.nodes).toHaveLength(nodes.length);
    expect(result.progress).toMatchObject({ found: 12, tried: 12, reachable: 7, failed: 5, queued: 0, inFlight: 0, queried: 12, answered: 12, discovering: false });
  });

  it('reads each reachable node\'s Hello and Status', () => {
    const found = byId();
    for (const n of nodes.filter((x) => x.rlpx && !x.other && x !== nodes[11])) {
      const c = found.get(n.id)!;
      expect(c.status, n.host).toBe('reachable');
      expect(c.info?.userAgent).toBe(n.clientId);
      expect(c.info?.version).toBe(68);
      expect(c.info?.details).toMatchObject({
        capabilities: ['eth/68'], p2pVersion: 5, networkId: 1, forkId: '0xc376cf8b/0', bestHash: HEAD, td: '1', genesis: mainnetToPrague.genesisHash,
      });
      expect(c.handshakeMs).toBeGreaterThanOrEqual(0);
      expect(c.reason).toBeUndefined();
    }
  });

  it('another chain ends with the typed reason wrong-network, with what its Hello and Status said', () => {
    const found = byId();
    for (const n of nodes.filter((x) => x.other)) {
      const c = found.get(n.id)!;
      expect(c, n.host).toMatchObject({ status: 'unreachable', reason: 'wrong-network', detail: expect.stringMatching(/^other chain: network 7777/) });
      expect(c.info?.userAgent).toBe(n.clientId);
      expect(c.info?.details).toMatchObject({ networkId: OTHER_CHAIN_ID, genesis: OTHER_GENESIS, capabilities: ['eth/68'] });
    }
  });

  it('a closed RLPx port is refused', () => {
    const closed = nodes.find((n) => !n.rlpx)!;
    expect(byId().get(closed.id)).toMatchObject({ status: 'unreachable', reason: 'refused', discovery: 'answered' });
    expect(byId().get(closed.id)!.info).toBeUndefined();
  });

  it('a full node\'s disconnect reason is kept, with the Hello it sent first', () => {
    const full = nodes[11];
    expect(byId().get(full.id)).toMatchObject({ status: 'unreachable', reason: 'closed-by-peer', detail: 'too-many-peers', info: { userAgent: full.clientId } });
  });

  it('summarises clients, networks, fork ids, capabilities and reasons', () => {
    const s = summarizeEthereum(result);
    expect(s).toMatchObject({
      found: 12, tried: 12, reachable: 7, unreachable: 5, skipped: 0, untried: 0, queried: 12, answered: 12,
      byClient: { 'ethereumjs-crawl': 11 }, byNetworkId: { 1: 7, [OTHER_CHAIN_ID]: 3 }, byForkId: { '0xc376cf8b/0': 10 },
      byCapabilities: { 'eth/68': 11 }, byDiscovery: { answered: 12 }, unreachableByReason: { 'wrong-network': 3, refused: 1, 'closed-by-peer': 1 },
      byDisconnectReason: { 'too-many-peers': 1 }, addressesByNetwork: { ipv4: 12 },
    });
    expect(Object.keys(s.byClientId)).toHaveLength(11);
    expect(s.handshakeMs.p50).not.toBeNull();
  });

  it('writes go-ethereum\'s nodes.json layout and a CSV that agree', () => {
    const json = nodesJson(result);
    const keys = Object.keys(json);
    expect(keys).toEqual([...keys].sort());
    expect(keys.sort()).toEqual(nodes.map((n) => nodeIdHash(n.id)).sort());
    for (const n of nodes) {
      const e = json[nodeIdHash(n.id)];
      expect(e).toMatchObject({ seq: 0, record: null, score: 1, enode: n.enode, ip: n.host, tcpPort: n.port, udpPort: n.port });
      for (const t of [e.firstResponse, e.lastResponse, e.lastCheck]) expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const lines = ethereumCsv(result).trimEnd().split('\r\n');
    expect(lines[0]).toBe(ETHEREUM_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(nodes.length + 1);
    for (const line of lines.slice(1)) {
      const row = Object.fromEntries(csvFields(line).map((v, i) => [ETHEREUM_CSV_COLUMNS[i], v]));
      const e = json[row.node_id];
      expect(e, row.node_id).toBeDefined();
      expect(row).toMatchObject({
        id: e.enode.slice(8, 136), ip: e.ip, tcp_port: String(e.tcpPort), status: e.status, client_id: e.clientId ?? '',
        network_id: e.networkId === null ? '' : String(e.networkId), fork_id: e.forkId ?? '', reason: e.reason ?? '', discovery: e.discovery,
        capabilities: e.capabilities?.join(' ') ?? '',
      });
    }
  });

  it('reported progress while it ran, never over the concurrency, and a final record', () => {
    expect(progress.length).toBeGreaterThan(2);
    expect(Math.max(...progress.map((p) => p.inFlight))).toBeLessThanOrEqual(4);
    expect(progress.at(-1)).toMatchObject({ reachable: 7, inFlight: 0, etaMs: 0, discovering: false });
  });
});

describe('a discv4 node that floods findnode answers', () => {
  const key = KeyPair.generate();
  const socket = dgram.createSocket('udp4');
  let port: number;
  let findnodes = 0;
  let n = 0;
  /**
   * Node ids for the flood, made once: 1,800 (a crawl's 3 questions × 600) so that any crawl sees distinct
   * ones. Making 600 keys per answer took the flooder ~250 ms, close to the crawl's 300 ms wait.
   */
  const ids: string[] = [];
  let nextId = 0;
  const id = () => ids[nextId++ % ids.length];
  /** One neighbours packet of 12; a question's first opens with addresses a crawl must never dial (private, documentation). */
  const packet = (first: boolean): Uint8Array => {
    const nodes: NeighbourNode[] = [];
    if (first) for (const ip of ['10.1.2.3', '203.0.113.9']) nodes.push({ ip, udpPort: 30303, tcpPort: 30303, id: id() });
    while (nodes.length < 12) nodes.push({ ip: `127.90.2.${(n++ % 250) + 1}`, udpPort: 9, tcpPort: 9, id: id() });
    return encodePacket({ type: 'neighbours', nodes, expiration: expiration() }, key).bytes;
  };
  const options = { network: mainnetToPrague, threads: 0, concurrency: 16, neighboursPerQuery: 16, queriesPerNode: 3, discoveryTimeoutMs: 300, timeouts: { connectMs: 1_000, handshakeMs: 1_000 } };

  beforeAll(async () => {
    for (let i = 0; i < 3 * 50 * 12; i++) ids.push(hex(KeyPair.generate().id));
    await new Promise<void>((resolve) => socket.bind(0, '127.90.1.1', () => resolve()));
    port = socket.address().port;
    socket.on('message', (msg, rinfo) => {
      let d;
      try {
        d = decodePacket(new Uint8Array(msg));
      } catch {
        return;
      }
      const send = (bytes: Uint8Array) => socket.send(bytes, rinfo.port, rinfo.address);
      if (d?.packet.type === 'ping') {
        send(encodePacket({ type: 'pong', to: { ip: rinfo.address, udpPort: rinfo.port, tcpPort: 0 }, pingHash: d.hash, expiration: expiration() }, key).bytes);
      } else if (d?.packet.type === 'findnode') {
        findnodes++;
        // 50 packets, 600 nodes, to one question.
        for (let i = 0; i < 50; i++) send(packet(i === 0));
      }
    });
  });
  afterAll(() => socket.close());

  it('is bounded per question; what did not fit is dropped; addresses no public node can have are recorded, never sent to', async () => {
    findnodes = 0;
    const r = await crawlEthereum({ ...options, bootnodes: [`enode://${hex(key.id)}@127.90.1.1:${port}`] }).run();
    expect(findnodes).toBe(3);
    // The flooder, and 16 per question at most.
    expect(r.nodes.length).toBeLessThanOrEqual(1 + 3 * 16);
    expect(r.progress.dropped).toBeGreaterThan(0);
    const skipped = r.nodes.filter((x) => x.status === 'skipped');
    expect(skipped.length).toBe(6);
    expect(skipped.every((x) => ['10.1.2.3', '203.0.113.9'].includes(x.host) && x.reason === 'non-routable' && x.discovery === 'not-asked')).toBe(true);
    // The fake loopback nodes were dialled and asked (nothing listens there): silent, refused.
    expect(r.nodes.filter((x) => x.host.startsWith('127.90.2.')).every((x) => x.discovery === 'silent' && x.reason === 'refused')).toBe(true);
    expect(r.ended).toBe('done');
  }, 30_000);

  it('the node table is capped (maxKnown); with --allow, other addresses are not-allowed', async () => {
    const r = await crawlEthereum({ ...options, bootnodes: [`enode://${hex(key.id)}@127.90.1.1:${port}`], maxKnown: 10, allow: ['127.0.0.0/8'] }).run();
    expect(r.nodes).toHaveLength(10);
    expect(r.progress).toMatchObject({ found: 10, dropped: expect.any(Number) });
    expect(r.progress.dropped).toBeGreaterThan(0);
    expect(r.nodes.slice(1, 3).map((x) => [x.host, x.status, x.reason])).toEqual([['10.1.2.3', 'skipped', 'not-allowed'], ['203.0.113.9', 'skipped', 'not-allowed']]);
  }, 30_000);

  it('a node whose pong another key signed is marked id-mismatch and not asked for neighbours', async () => {
    findnodes = 0;
    const liar = hex(KeyPair.generate().id);
    const r = await crawlEthereum({ ...options, bootnodes: [`enode://${liar}@127.90.1.1:${port}`] }).run();
    expect(findnodes).toBe(0);
    expect(r.nodes).toHaveLength(1);
    expect(r.nodes[0]).toMatchObject({ id: liar, discovery: 'id-mismatch', status: 'unreachable', reason: 'refused' });
  }, 30_000);
});
