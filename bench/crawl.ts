/**
 * The crawler: `peerscope crawl bitcoin`'s engine (packages/crawler) mapping an N-node realistic
 * simulated regtest network from ONE seed, at threads 0, 1 and 2, beside a floor measured in the same run.
 *
 *   npm run build && node --import tsx bench/crawl.ts     (env N = 10,000, RUNS = 3, CONCURRENCY = 500, the CLI's default; SEED = 1; from the repository root)
 *
 * Like engine-scale.ts it runs the built packages (dist/), and three kinds of process:
 * - the simnet: startRealisticSimnet (packages/simnet), seeded, sharded over child processes of 3,000
 *   nodes: mainnet's mix of agents, versions, services, ports and heights, 20-200 ms answer latency per
 *   node, getaddr answered with up to 1,000 entries drawn from the whole network (any shard) with stale,
 *   non-routable, Tor/I2P/CJDNS and duplicate addresses among them;
 * - each measurement in a fresh child: a crawl (Crawler.run(), found → reachable, every node's
 *   version and getaddr answer) or the floor: plain TCP connect, one request (a version message) and its
 *   first response bytes (which the node sends after its latency), then close, to the N planned
 *   addresses given up front, at the same concurrency; each reports wall time, rate and peak RSS (VmHWM);
 * - this orchestrator, which starts the simnet, spawns the measurements and tabulates.
 * Writes bench/results/crawl.md (crawl-<N>.md for another N).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BitcoinCodec, REGTEST, bitcoin } from '@peerscope/bitcoin';
import { crawl, summarize } from '@peerscope/crawler';
import { parseAddress } from '@peerscope/engine';
import { staleAddresses, startRealisticSimnet } from '@peerscope/simnet';
import { median, runChild, sleep } from './support/measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 500);
const SEED = process.env.SEED ?? '1';
/** 127.3.0.1 upward: apart from the tests' ranges and engine-scale's 127.2. */
const BASE_HOST = '127.3.0.1';

interface Measurement {
  kind: 'crawl' | 'floor';
  threads?: number;
  reached: number;
  tried: number;
  failed: number;
  found?: number;
  skipped?: number;
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

async function measureCrawl(threads: number, seed: string): Promise<Measurement> {
  const start = performance.now();
  const result = await crawl({
    ...bitcoin({ network: 'regtest' }), seeds: [seed], threads, concurrency: CONCURRENCY, allow: ['127.0.0.0/8'], progressIntervalMs: 1_000,
  }).run();
  const wallMs = performance.now() - start;
  const s = summarize(result);
  return { kind: 'crawl', threads, reached: s.reachable, tried: s.tried, failed: s.unreachable, found: s.found, skipped: s.skipped, wallMs, perSecond: s.reachable / (wallMs / 1000), peakRssMb: peakRssMb(), ended: result.ended };
}

/** Connect, one version message out, the first bytes of the answer in, close: no protocol beyond that. */
async function measureFloor(addressFile: string): Promise<Measurement> {
  const addresses = (JSON.parse(readFileSync(addressFile, 'utf8')) as string[]).map((a) => parseAddress(a));
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
  const simnet = await startRealisticSimnet({ seed: SEED, nodes: N, baseHost: BASE_HOST, seedCount: 1 });
  const addressFile = join(os.tmpdir(), `peerscope-crawl-bench-${process.pid}.json`);
  // The floor dials what the crawl dials: the live nodes and the stale addresses the network gossips.
  const dialled = [...simnet.nodes.map((n) => n.address), ...staleAddresses(simnet.nodes)];
  writeFileSync(addressFile, JSON.stringify(dialled));
  const rows: { label: string; runs: Measurement[] }[] = [
    { label: 'floor: TCP connect + version → first bytes', runs: [] },
    ...[0, 1, 2].map((t) => ({ label: `crawl, threads ${t}`, runs: [] as Measurement[] })),
  ];
  try {
    for (let run = 0; run < RUNS; run++) {
      // Interleaved, so a slow spell of the machine falls on every row alike.
      rows[0].runs.push(await runChild<Measurement>(import.meta.url, ['--floor', addressFile]));
      for (const t of [0, 1, 2]) rows[t + 1].runs.push(await runChild<Measurement>(import.meta.url, ['--crawl', String(t), '--seed', simnet.seeds[0]]));
      await sleep(500);
      console.error(`run ${run + 1}/${RUNS} done`);
    }
  } finally {
    rmSync(addressFile, { force: true });
    await simnet.close();
  }
  const floorRate = median(rows[0].runs.map((r) => r.perSecond));
  const floorWall = median(rows[0].runs.map((r) => r.wallMs));
  const table = [
    '| run | nodes reached | addresses found / dialled | wall time (s) | handshakes/s | wall × floor | peak RSS (MB) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(({ label, runs }) => {
      const wall = median(runs.map((r) => r.wallMs));
      const found = runs[0].found === undefined ? '-' : `${fmt(median(runs.map((r) => r.found!)))} / ${fmt(median(runs.map((r) => r.tried)))}`;
      return `| ${label} | ${fmt(median(runs.map((r) => r.reached)))} / ${fmt(N)} | ${found} | ${fmt(wall / 1000, 2)} | ${fmt(median(runs.map((r) => r.perSecond)))} | ${fmt(wall / floorWall, 2)}× | ${fmt(median(runs.map((r) => r.peakRssMb)))} |`;
    }),
  ].join('\n');
  const text = [
    '# Crawl: a simulated network mapped from one seed',
    '',
    `Generated by \`N=${N} RUNS=${RUNS} node --import tsx bench/crawl.ts\` (concurrency ${CONCURRENCY}) on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Medians of ${RUNS} runs, each a fresh process.`,
    '',
    `The simnet: startRealisticSimnet seed ${SEED}, ${N} regtest nodes on loopback in ${simnet.processes || 1} process${simnet.processes > 1 ? 'es' : ''}: mainnet's mix of agents, versions, services, ports (15% off the default) and heights, each node answering after its own 20-200 ms latency, getaddr answered with 1,000 entries drawn from the whole network with 10% stale (refused; a pool of 0.5 per node), 5% non-routable and 10% Tor/I2P/CJDNS (pools of 0.1 and 0.3 per node) and 2% duplicates. The crawl starts from one seed, learns every other address by getaddr, and handshakes with each once (version, verack, getaddr answered, hung up), dialling the stale addresses it hears of too. The floor dials the same ${fmt(dialled.length)} addresses (live and stale), given up front, at the same concurrency: TCP connect, a version message, the first bytes of the answer (after the node's latency), close. Peak RSS is the measuring process's VmHWM (worker threads included); the simnet runs in other processes.`,
    '',
    table,
    '',
    `Floor: ${fmt(floorRate)} connections/s.`,
    '',
  ].join('\n');
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', N === 10_000 ? 'crawl.md' : `crawl-${N}.md`), text);
  console.log(text);
}

if (arg('crawl') !== undefined) {
  process.stdout.write(JSON.stringify(await measureCrawl(Number(arg('crawl')), arg('seed')!)) + '\n');
  process.exit(0);
} else if (arg('floor')) {
  process.stdout.write(JSON.stringify(await measureFloor(arg('floor')!)) + '\n');
  process.exit(0);
} else await main();
