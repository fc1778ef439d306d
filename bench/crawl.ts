/**
 * The crawler: `peerscope crawl bitcoin`'s engine (packages/crawler) mapping an N-node simulated
 * regtest network from one seed, at threads 0, 1 and 2, beside a floor measured in the same run.
 *
 *   npm run build && node --import tsx bench/crawl.ts     (env N = 2,000, RUNS = 3, CONCURRENCY = 500, the CLI's default; from the repository root)
 *
 * Like engine-scale.ts it runs the built packages (dist/), and three kinds of process:
 * - the simnet (startBitcoinSimnet, 20 addresses per getaddr) in child processes of at most SHARD peers;
 *   the simnet gossips within a shard, so the crawl gets one seed per shard (one seed up to 4,000);
 * - each measurement in a fresh child: a crawl (Crawler.run(), found → reachable, every node's
 *   version and getaddr answer) or the floor: plain TCP connect, one request (a version message) and its
 *   first response bytes, then close, to the same N addresses given up front, at the same concurrency;
 *   it reports wall time, rate and its peak RSS (VmHWM);
 * - this orchestrator, which spawns and tabulates.
 * Writes bench/results/crawl.md (crawl-<N>.md for another N).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BitcoinCodec, REGTEST, bitcoin } from '@peerscope/bitcoin';
import { crawl, summarize } from '@peerscope/crawler';
import { parseAddress } from '@peerscope/engine';
import { loopbackHosts, startBitcoinSimnet } from '@peerscope/simnet';
import { median, runChild, sleep } from './support/measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 2_000);
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 500);
/** Peers per simnet process: a peer's listener and its one connection are two open files (limit 20,000). */
const SHARD = 4_000;
/** 127.3.x.y: apart from the tests' ranges and engine-scale's 127.2. */
const shardBase = (i: number) => `127.3.${i * 64}.1`;

interface Measurement {
  kind: 'crawl' | 'floor';
  threads?: number;
  reached: number;
  tried: number;
  failed: number;
  wallMs: number;
  perSecond: number;
  peakRssMb: number;
  ended?: string;
}

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};

/** Peak resident set of this process (Linux VmHWM), MB. */
function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function serveSimnet(peers: number, baseHost: string): Promise<void> {
  const simnet = await startBitcoinSimnet({ peers, baseHost });
  process.stdout.write(JSON.stringify({ port: parseAddress(simnet.addresses[0]).port }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void simnet.close().then(() => process.exit(0)));
}

const addressesOf = (ports: number[]) => ports.flatMap((port, i) => loopbackHosts(shardBase(i), Math.min(SHARD, N - i * SHARD)).map((h) => `${h}:${port}`));

async function measureCrawl(threads: number, ports: number[]): Promise<Measurement> {
  const seeds = ports.map((port, i) => `${shardBase(i)}:${port}`);
  const start = performance.now();
  const result = await crawl({
    ...bitcoin({ network: 'regtest' }), seeds, threads, concurrency: CONCURRENCY, allow: ['127.0.0.0/8'], progressIntervalMs: 1_000,
  }).run();
  const wallMs = performance.now() - start;
  const s = summarize(result);
  return { kind: 'crawl', threads, reached: s.reachable, tried: s.tried, failed: s.unreachable, wallMs, perSecond: s.reachable / (wallMs / 1000), peakRssMb: peakRssMb(), ended: result.ended };
}

/** Connect, one version message out, the first bytes of the answer in, close: no protocol beyond that. */
async function measureFloor(ports: number[]): Promise<Measurement> {
  const addresses = addressesOf(ports).map((a) => parseAddress(a));
  const version = new BitcoinCodec({ magic: REGTEST.magic }).encode({
    command: 'version', version: 70016, services: 0n, timestamp: BigInt(Math.floor(Date.now() / 1000)),
    receiver: { services: 0n, host: '127.0.0.1', port: 0 }, sender: { services: 0n, host: '::', port: 0 },
    nonce: randomBytes(8).readBigUInt64LE(), userAgent: '/floor/', startHeight: 0, relay: false,
  }).bytes;
  let next = 0;
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let open = 0;
    const launch = () => {
      while (open < CONCURRENCY && next < addresses.length) {
        const { host, port } = addresses[next++];
        open++;
        const socket = net.connect({ host, port });
        let settled = false;
        const end = (good: boolean) => {
          if (settled) return;
          settled = true;
          if (good) ok++;
          else failed++;
          socket.destroy();
          open--;
          if (open === 0 && next >= addresses.length) resolve();
          else launch();
        };
        socket.once('connect', () => socket.write(version));
        socket.once('data', () => end(true));
        socket.once('error', () => end(false));
        socket.once('close', () => end(false));
      }
    };
    launch();
  });
  const wallMs = performance.now() - start;
  return { kind: 'floor', reached: ok, tried: addresses.length, failed, wallMs, perSecond: ok / (wallMs / 1000), peakRssMb: peakRssMb() };
}

// ---- orchestrator ----

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const shards = Array.from({ length: Math.ceil(N / SHARD) }, (_, i) =>
    spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--simnet', String(Math.min(SHARD, N - i * SHARD)), '--base', shardBase(i)], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const ports = await Promise.all(shards.map((simnet) => new Promise<number>((resolve, reject) => {
    simnet.stdout!.once('data', (d) => resolve(JSON.parse(String(d).split('\n')[0]).port));
    simnet.once('exit', (code) => reject(new Error(`simnet exited ${code}`)));
  })));
  const portArgs = ['--ports', ports.join(',')];
  const rows: { label: string; runs: Measurement[] }[] = [
    { label: 'floor: TCP connect + version → first bytes', runs: [] },
    ...[0, 1, 2].map((t) => ({ label: `crawl, threads ${t}`, runs: [] as Measurement[] })),
  ];
  try {
    for (let run = 0; run < RUNS; run++) {
      // Interleaved, so a slow spell of the machine falls on every row alike.
      rows[0].runs.push(await runChild<Measurement>(import.meta.url, ['--floor', ...portArgs]));
      for (const t of [0, 1, 2]) rows[t + 1].runs.push(await runChild<Measurement>(import.meta.url, ['--crawl', String(t), ...portArgs]));
      await sleep(500);
      console.error(`run ${run + 1}/${RUNS} done`);
    }
  } finally {
    for (const s of shards) s.stdin!.end();
  }
  const floorRate = median(rows[0].runs.map((r) => r.perSecond));
  const floorWall = median(rows[0].runs.map((r) => r.wallMs));
  const table = [
    '| run | nodes reached | wall time (s) | handshakes/s | wall × floor | peak RSS (MB) |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(({ label, runs }) => {
      const wall = median(runs.map((r) => r.wallMs));
      return `| ${label} | ${fmt(median(runs.map((r) => r.reached)))} / ${fmt(N)} | ${fmt(wall / 1000, 2)} | ${fmt(median(runs.map((r) => r.perSecond)))} | ${fmt(wall / floorWall, 2)}× | ${fmt(median(runs.map((r) => r.peakRssMb)))} |`;
    }),
  ].join('\n');
  const text = [
    '# Crawl: a simulated network mapped from one seed',
    '',
    `Generated by \`N=${N} RUNS=${RUNS} node --import tsx bench/crawl.ts\` (concurrency ${CONCURRENCY}) on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Medians of ${RUNS} runs, each a fresh process.`,
    '',
    `The simnet: ${N} regtest peers on loopback (${Math.ceil(N / SHARD)} process${N > SHARD ? 'es' : ''} of at most ${SHARD}), each answering getaddr with 20 others. The crawl starts from ${N > SHARD ? 'one seed per simnet process' : 'one seed'}, learns every other address by getaddr, and handshakes with each once (version, verack, getaddr answered, hung up). The floor dials the same ${N} addresses, given up front, at the same concurrency: TCP connect, a version message, the first bytes of the answer, close. Peak RSS is the measuring process's VmHWM (worker threads included).`,
    '',
    table,
    '',
    `Floor: ${fmt(floorRate)} connections/s.`,
    '',
  ].join('\n');
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', N === 2_000 ? 'crawl.md' : `crawl-${N}.md`), text);
  console.log(text);
}

const ports = arg('ports')?.split(',').map(Number) ?? [];
if (arg('simnet')) await serveSimnet(Number(arg('simnet')), arg('base')!);
else if (arg('crawl') !== undefined) {
  process.stdout.write(JSON.stringify(await measureCrawl(Number(arg('crawl')), ports)) + '\n');
  process.exit(0);
} else if (process.argv.includes('--floor')) {
  process.stdout.write(JSON.stringify(await measureFloor(ports)) + '\n');
  process.exit(0);
} else await main();
