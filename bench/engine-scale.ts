/**
 * The engine at scale: peerscope's Monitor (threads 0, 1, 2) and bcoin 1.0.2's own Peer holding N
 * simulated regtest peers on N loopback addresses.
 *
 *   node --import tsx --conditions=source bench/engine-scale.ts     (env N, RUNS, WINDOW_S; from the repository root)
 *
 * Three kinds of process, so nothing is counted against the wrong side:
 * - the simnet (packages/simnet startBitcoinSimnet) in one child for the whole run;
 * - each measurement in a fresh child: it dials the first T sim peers (all given as seeds, so this is
 *   connection capacity, not gossip depth; the simnet test covers discovery from one seed), times
 *   start → T ready (peerscope: `state ready` events; bcoin: `peer.open()` resolved, i.e. version and
 *   verack both ways), lets GC settle and reads process RSS (workers included);
 * - this orchestrator, which only spawns and tabulates.
 * RSS per connection is the marginal cost: (RSS with N − RSS with N/10) / (0.9·N), each from its own
 * process, so the fixed costs (workers, module loading, bcoin's code) cancel out.
 * Throughput (peerscope only, with N): every peer pinged every second (pingIntervalMs 1000); over
 * WINDOW_S seconds, events delivered on events$ per second, the main thread's CPU (from
 * /proc/self/task/<pid>/stat) and the whole process's CPU (workers included).
 * Writes bench/results/engine-scale.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { bitcoin } from '../packages/bitcoin/src/index.js';
import { createMonitor } from '../packages/engine/src/index.js';
import { loopbackHosts, startBitcoinSimnet } from '../packages/simnet/src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 1_000);
const RUNS = Number(process.env.RUNS ?? 3);
const WINDOW_S = Number(process.env.WINDOW_S ?? 5);
const SMALL = Math.max(10, Math.round(N / 10));
/** 127.2.x.y: apart from the ranges the tests use, should both run at once. */
const BASE_HOST = '127.2.0.1';
const READY_LIMIT_MS = 120_000;

interface Measurement {
  target: number;
  ready: number;
  failed: number;
  readyMs: number;
  rssBefore: number;
  rss: number;
  eventsPerS?: number;
  mainCpu?: number;
  processCpu?: number;
}

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};


async function serveSimnet(peers: number): Promise<void> {
  const simnet = await startBitcoinSimnet({ peers, baseHost: BASE_HOST });
  process.stdout.write(JSON.stringify({ port: Number(simnet.addresses[0].split(':')[1]) }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void simnet.close().then(() => process.exit(0)));
}

// ---- measurement child ----

let collect: (() => void) | undefined;
/** A full GC without --expose-gc on the command line (workers refuse that flag in execArgv). */
function gc(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}

async function settledRss(): Promise<number> {
  // Workers collect on their own schedule; give them time, and collect here twice.
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(1_000);
  }
  return process.memoryUsage.rss();
}

/** CPU seconds of this process's main thread (Linux: utime + stime of the thread whose tid is the pid). */
function mainThreadCpuS(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // fields 14, 15 of proc(5); USER_HZ is 100 on Linux
}

async function measure(client: string, threads: number, target: number, port: number): Promise<void> {
  const addresses = loopbackHosts(BASE_HOST, target).map((h) => `${h}:${port}`);
  const rssBefore = await settledRss();
  const result = client === 'bcoin' ? await measureBcoin(addresses, rssBefore) : await measurePeerscope(addresses, threads, rssBefore);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

async function measurePeerscope(addresses: string[], threads: number, rssBefore: number): Promise<Measurement> {
  const target = addresses.length;
  const monitor = createMonitor({
    ...bitcoin({ network: 'regtest', pingIntervalMs: 1_000 }), seeds: addresses, target, threads, intervalMs: 1_000, allow: ['127.0.0.0/8'],
  });
  const ready = new Set<string>();
  let failed = 0;
  let events = 0;
  let allReady!: () => void;
  const reached = new Promise<void>((r) => (allReady = r));
  monitor.events$.subscribe((e) => {
    events++;
    if (e.type !== 'state') return;
    if (e.state === 'ready') ready.add(e.peer);
    else if (e.state === 'failed' || e.state === 'closed') {
      ready.delete(e.peer);
      if (e.state === 'failed') failed++;
    }
    if (ready.size === target) allReady();
  });
  const start = performance.now();
  await monitor.start();
  await Promise.race([reached, sleep(READY_LIMIT_MS)]);
  const readyMs = ready.size === target ? performance.now() - start : NaN;
  const out: Measurement = { target, ready: ready.size, failed, readyMs, rssBefore, rss: await settledRss() };
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
  const start = performance.now();
  // What bcoin's Pool does per outbound peer (pool.js createOutbound): Peer.fromOptions, connect, open.
  const peers = addresses.map((a) => {
    const peer = Peer.fromOptions({ network: 'regtest', agent: '/bench:bcoin/', hasWitness: () => true });
    peer.on('error', () => {});
    peer.connect(NetAddress.fromHostname(a, 'regtest'));
    return peer;
  });
  await Promise.race([
    Promise.all(peers.map((p: { open(): Promise<void> }) => p.open().then(() => void readyCount++, () => void failed++))),
    sleep(READY_LIMIT_MS),
  ]);
  const readyMs = readyCount === target ? performance.now() - start : NaN;
  const out: Measurement = { target, ready: readyCount, failed, readyMs, rssBefore, rss: await settledRss() };
  for (const p of peers) p.destroy();
  return out;
}

// ---- orchestrator ----

function runChild(args: string[]): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`measurement ${args.join(' ')} exited ${code}`));
    });
  });
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const simnet = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--simnet', String(N)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    simnet.stdout!.once('data', (d) => resolve(JSON.parse(String(d).split('\n')[0])));
    simnet.once('exit', (code) => reject(new Error(`simnet exited ${code}`)));
  });
  const clients = [
    { name: 'peerscope Monitor', client: 'peerscope', threads: 0 },
    { name: 'peerscope Monitor', client: 'peerscope', threads: 1 },
    { name: 'peerscope Monitor', client: 'peerscope', threads: 2 },
    { name: 'bcoin 1.0.2 Peer', client: 'bcoin', threads: 0 },
  ];
  const results = clients.map(() => ({ big: [] as Measurement[], small: [] as Measurement[] }));
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const [i, c] of clients.entries()) {
        const base = ['--client', c.client, '--threads', String(c.threads), '--port', String(port)];
        const big = await runChild([...base, '--target', String(N), ...(c.client === 'peerscope' ? ['--throughput'] : [])]);
        const small = await runChild([...base, '--target', String(SMALL)]);
        results[i].big.push(big);
        results[i].small.push(small);
        console.log(`run ${run + 1} ${c.name} threads ${c.threads}: ${big.ready}/${N} ready in ${(big.readyMs / 1000).toFixed(2)} s, RSS ${mb(big.rss)} MB (${SMALL}: ${mb(small.rss)} MB)` +
          (big.eventsPerS !== undefined ? `, ${Math.round(big.eventsPerS)} events/s, main ${big.mainCpu!.toFixed(1)}% CPU, process ${big.processCpu!.toFixed(1)}%` : ''));
      }
    }
  } finally {
    simnet.stdin!.end();
  }

  const rows = clients.map((c, i) => {
    const { big, small } = results[i];
    const perConn = median(big.map((b, r) => (b.rss - small[r].rss) / (N - SMALL)));
    const cells = [
      c.name, c.client === 'bcoin' ? '—' : String(c.threads),
      `${median(big.map((b) => b.ready))}/${N}`,
      fmt(median(big.map((b) => b.readyMs)) / 1000, 2),
      fmt(perConn / 1024, 1),
      fmt(median(big.map((b) => b.rss)) / 2 ** 20, 0),
      c.client === 'bcoin' ? '—' : fmt(median(big.map((b) => b.eventsPerS!)), 0),
      c.client === 'bcoin' ? '—' : fmt(median(big.map((b) => b.mainCpu!)), 1),
      c.client === 'bcoin' ? '—' : fmt(median(big.map((b) => b.processCpu!)), 1),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const table = [
    '| client | threads | ready | s to N ready | RSS KB / connection | RSS MB at N | events/s (pings 1/s) | main-thread CPU % | process CPU % |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  const md = [
    '# Engine scale: N simulated regtest peers',
    '',
    `\`node --import tsx --conditions=source bench/engine-scale.ts\` (N=${N}, ${RUNS} runs, medians; throughput window ${WINDOW_S} s).`,
    '',
    table,
    '',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. The simnet (packages/simnet, ${N} peers on ` +
      `${BASE_HOST} upward, one port) runs in its own child process; every measurement is a fresh child process. ` +
      `All N addresses are given as seeds. "RSS KB / connection" is (RSS with ${N} − RSS with ${SMALL}) / ${N - SMALL}, after GC, ` +
      'whole process (worker threads included). bcoin: `bcoin.net.Peer.fromOptions({network: "regtest"})`, `peer.connect(addr)`, ' +
      '`peer.open()` (its Pool\'s outbound path without the Pool), counted when open() resolves. bcoin pings every 30 s and has no ' +
      'setting for it, so the throughput columns are peerscope only: every peer pinged every second, events delivered on events$.',
    '',
  ].join('\n');
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'engine-scale.md'), md);
  console.log('\n' + md);
}

function fmt(x: number, digits: number): string {
  return Number.isNaN(x) ? 'n/a' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// Dispatch last: the helpers above are initialised by now.
if (arg('simnet')) await serveSimnet(Number(arg('simnet')));
else if (arg('client')) await measure(arg('client')!, Number(arg('threads') ?? 0), Number(arg('target')), Number(arg('port')));
else await main();
