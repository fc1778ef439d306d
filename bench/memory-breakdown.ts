/**
 * Where a ready, idle Bitcoin peer's bytes go. Holds N simulated regtest peers with the Monitor, takes
 * V8 heap snapshots of the heap the peers live in (this thread at THREADS=0, the worker at THREADS=1;
 * Executor.writeHeapSnapshots) and sums the self size of every object per peer by constructor (closures
 * by function name; plain objects, internal arrays and shapes by who holds them). RSS and the heaps'
 * sizes per peer are read first, before any snapshot (the profiler's own bookkeeping would count).
 *
 *   npm run build && node --import tsx bench/memory-breakdown.ts     (env N default 2000, THREADS 0 or 1; from the repository root)
 *
 * Writes bench/results/memory-breakdown-threads-<THREADS>.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, InProcessExecutor, parseAddress, PoolExecutor, type Executor } from '@peerscope/engine';
import { loopbackHosts, startBitcoinSimnet } from '@peerscope/simnet';
import { settledRss } from './support/measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 2_000);
const THREADS = Number(process.env.THREADS ?? 0);
const BASE_HOST = '127.3.0.1';


interface Group {
  name: string;
  bytes: number;
  count: number;
}

/** Self sizes by constructor (objects) or function name (closures), from a heap snapshot file. */
function heapByConstructor(file: string): Map<string, Group> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  unlinkSync(file);
  const meta = snapshot.snapshot.meta;
  const fields: string[] = meta.node_fields;
  const types: string[] = meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const nodes: number[] = snapshot.nodes;
  const strings: string[] = snapshot.strings;
  const groups = new Map<string, Group>();
  // Internal arrays and plain Objects say little by themselves: name them after who holds them
  // (the holder's constructor and the property), e.g. "(internal arrays) of Map".
  const owner = new Map<number, string>();
  const edgeFields: string[] = meta.edge_fields;
  const edgeTypes: string[] = meta.edge_types[0];
  const edges: number[] = snapshot.edges;
  const ecount = fields.indexOf('edge_count');
  const estride = edgeFields.length;
  const eType = edgeFields.indexOf('type');
  const eName = edgeFields.indexOf('name_or_index');
  const eTo = edgeFields.indexOf('to_node');
  for (let i = 0, e = 0; i < nodes.length; i += stride) {
    const holder = strings[nodes[i + nameAt]];
    const holderType = types[nodes[i + typeAt]];
    for (let k = 0; k < nodes[i + ecount]; k++, e += estride) {
      const to = edges[e + eTo];
      if (owner.has(to)) continue;
      const et = edgeTypes[edges[e + eType]];
      if (et === 'weak' || et === 'shortcut') continue;
      const label = et === 'element' || et === 'hidden' ? String(edges[e + eName]) : strings[edges[e + eName]];
      owner.set(to, `${holderType === 'closure' ? 'closure ' : ''}${holder.split(' ')[0].slice(0, 40)}.${et === 'element' ? '[]' : label}`);
    }
  }
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt]];
    let name = strings[nodes[i + nameAt]];
    if (type === 'closure') name = `closure ${name || '(anonymous)'}`;
    else if (type === 'object' && name === 'Object') name = `Object at ${owner.get(i) ?? '?'}`;
    else if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = `(strings) at ${owner.get(i) ?? '?'}`;
    else if (type === 'object shape') name = `(object shape) of ${owner.get(i) ?? '?'}`;
    else if (type === 'array') name = `(internal arrays) of ${owner.get(i) ?? '?'}`;
    else if (type === 'code') name = '(code)';
    else if (type === 'hidden') name = `(hidden) ${name.split(' ')[0]}`;
    else if (type !== 'object' && type !== 'native') name = `(${type})`;
    const g = groups.get(name) ?? { name, bytes: 0, count: 0 };
    g.bytes += nodes[i + sizeAt];
    g.count += 1;
    groups.set(name, g);
  }
  return groups;
}

async function holdPeers(port: number, count: number, threads: number) {
  const addresses = loopbackHosts(BASE_HOST, count).map((h) => `${h}:${port}`);
  const executor: Executor = threads === 0 ? new InProcessExecutor() : new PoolExecutor({ threads, execArgv: [] });
  const monitor = createMonitor({ ...bitcoin({ network: 'regtest' }), seeds: addresses, target: count, executor, intervalMs: 60_000, allow: ['127.0.0.0/8'] });
  const ready = new Set<string>();
  let all!: () => void;
  const reached = new Promise<void>((r) => (all = r));
  monitor.events$.subscribe((e) => {
    if (e.type === 'state' && e.state === 'ready') ready.add(e.peer);
    if (ready.size === count) all();
  });
  await monitor.start();
  await reached;
  return { monitor, executor };
}

async function serveSimnet(): Promise<void> {
  const simnet = await startBitcoinSimnet({ peers: N, baseHost: BASE_HOST });
  process.stdout.write(JSON.stringify({ port: parseAddress(simnet.addresses[0]).port }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void simnet.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--simnet'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, N: String(N) } });
  const { port } = await new Promise<{ port: number }>((resolve) => child.stdout!.once('data', (d) => resolve(JSON.parse(String(d).split('\n')[0]))));
  try {
    // A few peers first, so module loading and first-use costs are in the baseline, not per peer.
    const warm = await holdPeers(port, 10, THREADS);
    await settledRss(warm.executor);
    // RSS before any heap snapshot: the profiler keeps an object-id map that would be counted per peer.
    const mem0 = process.memoryUsage();
    const { monitor, executor } = await holdPeers(port, N, THREADS);
    await settledRss(warm.executor, executor);
    const mem1 = process.memoryUsage();
    const per = (k: keyof NodeJS.MemoryUsage) => ((mem1[k] - mem0[k]) / N / 1024).toFixed(1);
    const peerHeaps = (await executor.heapStatistics()).reduce((a, h) => a + h.used, 0) - (await warm.executor.heapStatistics()).reduce((a, h) => a + h.used, 0);
    // Threads 0: the one heap with the N peers, against the same heap once they stopped. Threads 1:
    // the worker holding the N peers, against the worker holding the 10 warm ones.
    const dir = os.tmpdir();
    const heapWith = heapByConstructor((await executor.writeHeapSnapshots(dir))[0]);
    let heapWithout: Map<string, Group>;
    if (THREADS === 0) {
      await monitor.stop();
      await settledRss(warm.executor);
      heapWithout = heapByConstructor((await warm.executor.writeHeapSnapshots(dir))[0]);
    } else {
      heapWithout = heapByConstructor((await warm.executor.writeHeapSnapshots(dir))[0]);
      await monitor.stop();
    }
    const rows: Group[] = [];
    let live = 0;
    for (const [name, g] of heapWith) {
      const before = heapWithout.get(name) ?? { name, bytes: 0, count: 0 };
      const bytes = g.bytes - before.bytes;
      live += bytes;
      if (bytes / N >= 48) rows.push({ name, bytes: bytes / N, count: (g.count - before.count) / N });
    }
    rows.sort((a, b) => b.bytes - a.bytes);
    const md = [
      `## threads ${THREADS}: ${THREADS === 0 ? 'peers and statistics in one heap' : 'the worker heap (the peers); statistics, peer keeper and executor handles are on the main thread'}`,
      '',
      `\`npm run build && N=${N} THREADS=${THREADS} node --import tsx bench/memory-breakdown.ts\` (the built packages, as the CLI runs them; Node ${process.version}).`,
      '',
      `RSS per peer, whole process${THREADS ? ' (worker included)' : ''}: **${per('rss')} KB**. Main-thread V8 heap per peer: ${per('heapUsed')} KB used, ${per('heapTotal')} KB committed` +
        (THREADS ? `; worker heap: ${(peerHeaps / N / 1024).toFixed(1)} KB used` : '') +
        `. Live objects per peer in the ${THREADS ? 'worker ' : ''}heap below (snapshot with the N peers, minus ${THREADS ? 'a worker holding 10' : 'the same heap once they stopped'}): ${(live / N / 1024).toFixed(1)} KB.`,
      '',
      '| heap objects (constructor, or closure by name) | bytes / peer | objects / peer |',
      '|---|---:|---:|',
      ...rows.slice(0, Number(process.env.ROWS ?? 25)).map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${Math.round(r.bytes)} | ${r.count.toFixed(1)} |`),
      '',
    ].join('\n');
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', `memory-breakdown-threads-${THREADS}.md`), md);
    console.log(md);
    await warm.monitor.stop();
  } finally {
    child.stdin!.end();
  }
  process.exit(0);
}

if (process.argv.includes('--simnet')) await serveSimnet();
else await main();
