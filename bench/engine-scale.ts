/**
 * The engine at scale: peerscope's Monitor (threads 0, 1, 2) and bcoin 1.0.2's own Peer holding N
 * simulated regtest peers on N loopback addresses.
 *
 *   npm run build && node --import tsx bench/engine-scale.ts     (env N, RUNS, WINDOW_S, ONLY; from the repository root)
 *
 * It runs the built packages (dist/, as the CLI and an embedding program do), not the TypeScript
 * sources: tsx compiles with esbuild's keepNames, which gives every closure a `name` property and
 * costs about 5 KB per peer that no user pays.
 *
 * Three kinds of process, so nothing is counted against the wrong side:
 * - the simnet (packages/simnet startBitcoinSimnet) in child processes of at most SHARD peers, for the whole run;
 * - each measurement in a fresh child: it dials the first T sim peers (all given as seeds, so this is
 *   connection capacity, not gossip depth; the simnet test covers discovery from one seed), times
 *   start → T ready and → 99% ready (peerscope: `state ready` events; bcoin: `peer.open()` resolved,
 *   i.e. version and verack both ways), counts the peers that never became ready by reason, collects
 *   garbage in every thread (workers too: Executor.collectGarbage) and reads process RSS;
 * - this orchestrator, which only spawns and tabulates.
 * RSS per connection is the marginal cost: (RSS with N − RSS with N/10) / (0.9·N), each from its own
 * process, so the fixed costs (workers, module loading, bcoin's code) cancel out.
 * Throughput (peerscope only, with N): every peer pinged every second (pingIntervalMs 1000); over
 * WINDOW_S seconds, events delivered on events$ per second, the main thread's CPU (from
 * /proc/self/task/<pid>/stat) and the whole process's CPU (workers included).
 * Writes bench/results/engine-scale.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, InProcessExecutor, parseAddress, PoolExecutor, type Executor } from '@peerscope/engine';
import { loopbackHosts, startBitcoinSimnet } from '@peerscope/simnet';
import { mainThreadCpuS, median, runChild, settledRss, sleep } from './support/measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 1_000);
const RUNS = Number(process.env.RUNS ?? 3);
const WINDOW_S = Number(process.env.WINDOW_S ?? 5);
/** Seconds all ready and left alone before the no-explicit-GC reading (past BurstCompactor's quiet spell). */
const IDLE_S = Number(process.env.IDLE_S ?? 15);
const SMALL = Math.max(10, Math.round(N / 10));
/** 127.2.x.y: apart from the ranges the tests use, should both run at once. */
/**
 * Peers per simnet process: each peer listens on its own address (a socket) and holds a connection
 * (another), so one process with 10,000 peers would pass the 20,000 open-file limit.
 */
const SHARD = 4_000;

/** The i-th shard's first address: 127.2.0.1, 127.2.64.1, … (4,000 hosts span 16 /24s). */
const shardBase = (i: number) => `127.2.${i * 64}.1`;
const READY_LIMIT_MS = 120_000;

interface Measurement {
  target: number;
  ready: number;
  failed: number;
  readyMs: number;
  /** Time to 99% of the target ready. */
  ready99Ms: number;
  /** Peers that never became ready, by how they ended ('still connecting' / 'still handshaking' when the wait ran out). */
  notReady: Record<string, number>;
  rssBefore: number;
  rss: number;
  /** RSS after IDLE_S seconds ready without an explicit GC: what a user's process shows (peerscope only). */
  rssIdle?: number;
  /** V8 heaps after GC: the main thread's, and the peer threads' summed (the same heap at threads 0). */
  heaps?: { mainUsed: number; mainPhysical: number; peersUsed: number; peersPhysical: number };
  eventsPerS?: number;
  mainCpu?: number;
  processCpu?: number;
}

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};


async function serveSimnet(peers: number, baseHost: string): Promise<void> {
  const simnet = await startBitcoinSimnet({ peers, baseHost });
  process.stdout.write(JSON.stringify({ port: parseAddress(simnet.addresses[0]).port }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void simnet.close().then(() => process.exit(0)));
}

// ---- measurement child ----

async function measure(client: string, threads: number, target: number, ports: number[]): Promise<void> {
  // The first `target` addresses, shard by shard.
  const addresses = ports.flatMap((port, i) => loopbackHosts(shardBase(i), SHARD).map((h) => `${h}:${port}`)).slice(0, target);
  const rssBefore = await settledRss();
  const result = client === 'bcoin' ? await measureBcoin(addresses, rssBefore) : await measurePeerscope(addresses, threads, rssBefore);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

async function measurePeerscope(addresses: string[], threads: number, rssBefore: number): Promise<Measurement> {
  const target = addresses.length;
  const executor: Executor = threads === 0 ? new InProcessExecutor() : new PoolExecutor({ threads, execArgv: [], ...(process.env.YG && { youngGenerationMb: Number(process.env.YG) }) });
  const monitor = createMonitor({
    ...bitcoin({ network: 'regtest', pingIntervalMs: 1_000 }), seeds: addresses, target, executor, intervalMs: 1_000, allow: ['127.0.0.0/8'],
  });
  const ready = new Set<string>();
  const state = new Map<string, string>();
  const ended = new Map<string, string>();
  let failed = 0;
  let events = 0;
  let ready99Ms = NaN;
  let allReady!: () => void;
  const reached = new Promise<void>((r) => (allReady = r));
  const start = performance.now();
  // By address, not connection id: a peer that failed and was redialled under a new id counts once.
  monitor.events$.subscribe((e) => {
    events++;
    if (e.type !== 'state') return;
    state.set(e.address, e.state);
    if (e.state === 'ready') ready.add(e.address);
    else if (e.state === 'failed' || e.state === 'closed') {
      ready.delete(e.address);
      if (e.state === 'failed') failed++;
      ended.set(e.address, e.reason ?? e.state);
    }
    if (Number.isNaN(ready99Ms) && ready.size >= Math.ceil(target * 0.99)) ready99Ms = performance.now() - start;
    if (ready.size === target) allReady();
  });
  await monitor.start();
  await Promise.race([reached, sleep(READY_LIMIT_MS)]);
  const readyMs = ready.size === target ? performance.now() - start : NaN;
  // Who never got there, and why: an ended peer by its reason, a live one by where it is stuck.
  const notReady: Record<string, number> = {};
  for (const [address, s] of state) {
    if (s === 'ready') continue;
    const why = s === 'failed' || s === 'closed' ? (ended.get(address) ?? s) : `still ${s}`;
    notReady[why] = (notReady[why] ?? 0) + 1;
  }
  // First as a user sees it (the workers compact once the burst is over, see BurstCompactor), then after explicit GCs.
  await sleep(IDLE_S * 1_000);
  const rssIdle = process.memoryUsage.rss();
  const out: Measurement = { target, ready: ready.size, failed, readyMs, ready99Ms, notReady, rssBefore, rss: await settledRss(executor), rssIdle };
  const main = v8.getHeapStatistics();
  const peers = await executor.heapStatistics();
  out.heaps = {
    mainUsed: main.used_heap_size, mainPhysical: main.total_physical_size,
    peersUsed: peers.reduce((a, h) => a + h.used, 0), peersPhysical: peers.reduce((a, h) => a + h.physical, 0),
  };
  if (process.argv.includes('--throughput')) {
    const e0 = events, main0 = mainThreadCpuS(), cpu0 = process.cpuUsage(), t0 = performance.now();
    await sleep(WINDOW_S * 1_000);
    const wall = (performance.now() - t0) / 1_000;
    const cpu = process.cpuUsage(cpu0);
    out.eventsPerS = (events - e0) / wall;
    out.mainCpu = ((mainThreadCpuS() - main0) / wall) * 100;
    out.processCpu = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
    out.ready = ready.size;
  }
  await monitor.stop();
  return out;
}

async function measureBcoin(addresses: string[], rssBefore: number): Promise<Measurement> {
  const bcoin = createRequire(import.meta.url)('bcoin');
  const { Peer, NetAddress } = bcoin.net;
  const target = addresses.length;
  let readyCount = 0;
  let failed = 0;
  let ready99Ms = NaN;
  const notReady: Record<string, number> = {};
  const start = performance.now();
  // What bcoin's Pool does per outbound peer (pool.js createOutbound): Peer.fromOptions, connect, open.
  const peers = addresses.map((a) => {
    const peer = Peer.fromOptions({ network: 'regtest', agent: '/bench:bcoin/', hasWitness: () => true });
    peer.on('error', () => {});
    peer.connect(NetAddress.fromHostname(a, 'regtest'));
    return peer;
  });
  const opened = (p: { open(): Promise<void> }) =>
    p.open().then(
      () => {
        readyCount++;
        if (Number.isNaN(ready99Ms) && readyCount >= Math.ceil(target * 0.99)) ready99Ms = performance.now() - start;
      },
      (err: Error) => {
        failed++;
        notReady[err.message] = (notReady[err.message] ?? 0) + 1;
      },
    );
  await Promise.race([Promise.all(peers.map(opened)), sleep(READY_LIMIT_MS)]);
  const readyMs = readyCount === target ? performance.now() - start : NaN;
  const stuck = target - readyCount - failed;
  if (stuck > 0) notReady['still opening'] = stuck;
  const out: Measurement = { target, ready: readyCount, failed, readyMs, ready99Ms, notReady, rssBefore, rss: await settledRss() };
  for (const p of peers) p.destroy();
  return out;
}

// ---- orchestrator ----

async function main(): Promise<void> {
  const shards = Array.from({ length: Math.ceil(N / SHARD) }, (_, i) =>
    spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--simnet', String(Math.min(SHARD, N - i * SHARD)), '--base', shardBase(i)], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const ports = await Promise.all(
    shards.map(
      (simnet) =>
        new Promise<number>((resolve, reject) => {
          simnet.stdout!.once('data', (d) => resolve(JSON.parse(String(d).split('\n')[0]).port));
          simnet.once('exit', (code) => reject(new Error(`simnet exited ${code}`)));
        }),
    ),
  );
  const clients = [
    { name: 'peerscope Monitor', client: 'peerscope', threads: 0 },
    { name: 'peerscope Monitor', client: 'peerscope', threads: 1 },
    { name: 'peerscope Monitor', client: 'peerscope', threads: 2 },
    { name: 'bcoin 1.0.2 Peer', client: 'bcoin', threads: 0 },
  ];
  // ONLY=peerscope (or bcoin) measures one side, e.g. while tuning; the README's table has both.
  if (process.env.ONLY) clients.splice(0, clients.length, ...clients.filter((c) => c.client === process.env.ONLY));
  const results = clients.map(() => ({ big: [] as Measurement[], small: [] as Measurement[] }));
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const [i, c] of clients.entries()) {
        const base = ['--client', c.client, '--threads', String(c.threads), '--ports', ports.join(',')];
        const big = await runChild<Measurement>(import.meta.url, [...base, '--target', String(N), ...(c.client === 'peerscope' ? ['--throughput'] : [])]);
        const small = await runChild<Measurement>(import.meta.url, [...base, '--target', String(SMALL)]);
        results[i].big.push(big);
        results[i].small.push(small);
        console.log(`run ${run + 1} ${c.name} threads ${c.threads}: ${big.ready}/${N} ready in ${(big.readyMs / 1000).toFixed(2)} s (99% in ${(big.ready99Ms / 1000).toFixed(2)} s), never ready: ${reasons(big.notReady)}, RSS ${mb(big.rss)} MB (${SMALL}: ${mb(small.rss)} MB)` +
          (big.eventsPerS !== undefined ? `, ${Math.round(big.eventsPerS)} events/s, main ${big.mainCpu!.toFixed(1)}% CPU, process ${big.processCpu!.toFixed(1)}%` : '') +
          (big.heaps && small.heaps ? `; per connection: main heap ${perKb(big.heaps.mainUsed, small.heaps.mainUsed)} KB used / ${perKb(big.heaps.mainPhysical, small.heaps.mainPhysical)} KB physical` +
            (c.threads > 0 ? `, worker heaps ${perKb(big.heaps.peersUsed, small.heaps.peersUsed)} KB used / ${perKb(big.heaps.peersPhysical, small.heaps.peersPhysical)} KB physical` : '') : ''));
      }
    }
  } finally {
    for (const simnet of shards) simnet.stdin!.end();
  }

  const rows = clients.map((c, i) => {
    const { big, small } = results[i];
    const perConn = median(big.map((b, r) => (b.rss - small[r].rss) / (N - SMALL)));
    const cells = [
      c.name, c.client === 'bcoin' ? '—' : String(c.threads),
      `${median(big.map((b) => b.ready))}/${N}`,
      fmt(median(big.map((b) => b.readyMs)) / 1000, 2),
      fmt(median(big.map((b) => b.ready99Ms)) / 1000, 2),
      big.map((b) => reasons(b.notReady)).join('; '),
      fmt(perConn / 1024, 1),
      c.client === 'bcoin' ? '—' : fmt(median(big.map((b, r) => (b.rssIdle! - small[r].rssIdle!) / (N - SMALL))) / 1024, 1),
      fmt(median(big.map((b) => b.rss)) / 2 ** 20, 0),
      c.client === 'bcoin' ? '—' : fmt(median(big.map((b) => b.eventsPerS!)), 0),
      c.client === 'bcoin' ? '—' : fmt(median(big.map((b) => b.mainCpu!)), 1),
      c.client === 'bcoin' ? '—' : fmt(median(big.map((b) => b.processCpu!)), 1),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const table = [
    '| client | threads | ready | s to N ready | s to 99% | never ready (each run) | RSS KB / connection (after GC) | … idle, no explicit GC | RSS MB at N | events/s (pings 1/s) | main-thread CPU % | process CPU % |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  const md = [
    '# Engine scale: N simulated regtest peers',
    '',
    `\`npm run build && N=${N} RUNS=${RUNS} node --import tsx bench/engine-scale.ts\` (medians of ${RUNS} runs; throughput window ${WINDOW_S} s; built packages).`,
    '',
    table,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. The simnet (packages/simnet, ${N} peers on ` +
      `127.2.0.1 upward, in child processes of at most ${SHARD} peers each, so none nears the open-file limit); every measurement is a fresh child process. ` +
      `All N addresses are given as seeds. "RSS KB / connection" is (RSS with ${N} − RSS with ${SMALL}) / ${N - SMALL}, after full GCs in every thread until RSS stops falling, ` +
      `whole process (worker threads included); "idle, no explicit GC" is the same difference read ${IDLE_S} s after all were ready, before any explicit collection (peers pinged every second meanwhile). ` +
      'bcoin: `bcoin.net.Peer.fromOptions({network: "regtest"})`, `peer.connect(addr)`, ' +
      '`peer.open()` (its Pool\'s outbound path without the Pool), counted when open() resolves. bcoin pings every 30 s and has no ' +
      'setting for it, so the throughput columns are peerscope only: every peer pinged every second, events delivered on events$.',
    '',
  ].join('\n');
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'engine-scale.md'), md);
  console.log('\n' + md);
}

function perKb(big: number, small: number): string {
  return ((big - small) / (N - SMALL) / 1024).toFixed(1);
}

function reasons(notReady: Record<string, number>): string {
  const parts = Object.entries(notReady).map(([why, n]) => `${n} ${why}`);
  return parts.length ? parts.join(', ') : 'none';
}

function fmt(x: number, digits: number): string {
  return Number.isNaN(x) ? 'n/a' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}


// Dispatch last: the helpers above are initialised by now.
if (arg('simnet')) await serveSimnet(Number(arg('simnet')), arg('base')!);
else if (arg('client')) await measure(arg('client')!, Number(arg('threads') ?? 0), Number(arg('target')), arg('ports')!.split(',').map(Number));
else await main();
