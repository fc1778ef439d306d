import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Node } from '@peerscope/p2pnet';
import { NumberStore, SumNode } from '../src/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sum-topo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let live: SumNode[] = [];
afterEach(async () => {
  for (const s of live) s.close();
  await Promise.all(live.map((s) => s.node.stop()));
  live = [];
});

async function network(n: number, edges: [number, number][], framing: 'eot' | 'length' = 'eot'): Promise<{ sums: SumNode[]; truth: bigint }> {
  const sums: SumNode[] = [];
  let truth = 0n;
  for (let i = 0; i < n; i++) {
    const node = new Node({ host: '127.0.0.1', port: 0, framing, settleMs: 0 });
    await node.start();
    const store = await NumberStore.open(path.join(dir, `${framing}-${n}-${i}-${node.id.slice(0, 8)}.json`));
    const s = new SumNode(node, store);
    // Include huge and negative numbers: the sum is BigInt end to end.
    for (const v of [BigInt(i + 1), 10n ** 30n * BigInt(i), -BigInt(i * 7)]) {
      await s.add(v);
      truth += v;
    }
    sums.push(s);
  }
  live.push(...sums);
  await Promise.all(edges.map(([a, b]) => sums[a].node.connectWithNode('127.0.0.1', sums[b].node.port)));
  // Inbound sides become ready a moment after the dialer (the acceptor's settle pause).
  const degree = (i: number) => edges.filter(([a, b]) => a === i || b === i).length;
  for (let t = 0; t < 200 && sums.some((s, i) => s.node.allNodes.length < degree(i)); t++) await new Promise((r) => setTimeout(r, 10));
  return { sums, truth };
}

const N = 12;
const range = [...Array(N).keys()];
const topologies: Record<string, [number, number][]> = {
  chain: range.slice(1).map((i) => [i - 1, i]),
  ring: range.map((i) => [i, (i + 1) % N]),
  star: range.slice(1).map((i) => [i, 0]),
  mesh: range.flatMap((i) => range.filter((j) => j > i).map((j) => [i, j] as [number, number])),
};

describe('network sum over 12 nodes', () => {
  for (const [name, edges] of Object.entries(topologies)) {
    it(`${name}: every node's numbers counted exactly once`, async () => {
      const { sums, truth } = await network(N, edges);
      for (const asker of [0, N - 1]) {
        const r = await sums[asker].requestSum({ timeoutMs: 5_000 });
        expect(r.total).toBe(truth);
        expect(r.count).toBe(N * 3);
        expect(r.nodes.size).toBe(N);
        expect(r.missing).toEqual([]);
      }
    });
  }

  it('mesh with length framing', async () => {
    const { sums, truth } = await network(N, topologies.mesh, 'length');
    expect((await sums[5].requestSum()).total).toBe(truth);
  });

  it('a node that stops answering is reported by id, not silently left out', async () => {
    const { sums } = await network(N, topologies.ring);
    const first = await sums[0].requestSum();
    expect(first.nodes.size).toBe(N);
    // Node 6 goes silent: still connected, but it no longer reacts to sum requests.
    sums[6].close();
    const r = await sums[0].requestSum({ timeoutMs: 1_500 });
    expect(r.missing).toContain(sums[6].node.id);
    expect(r.nodes.has(sums[6].node.id)).toBe(false);
    expect(r.nodes.size).toBe(N - 1);
    // And a node that left the network is reported as lost.
    await sums[6].node.stop();
    const chainCut = await sums[0].requestSum({ timeoutMs: 1_500 });
    expect([...chainCut.missing, ...chainCut.lost]).toContain(sums[6].node.id);
    expect(chainCut.nodes.size).toBe(N - 1);
  });

  it('the hop limit bounds the flood', async () => {
    const { sums } = await network(N, topologies.chain);
    const r = await sums[0].requestSum({ hops: 3 });
    expect(r.nodes.size).toBe(3);
  });
});
