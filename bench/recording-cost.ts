/**
 * What recording costs: a 1,000-peer simnet monitor (threads 1, every peer pinged each second, a
 * snapshot each second: the busiest setting of the live view) with nothing beside the view, then with
 * --db (SQLite), --metrics (scraped every 5 s), --web (one page open on server-sent events), and all
 * three. Main-thread CPU and process CPU over a window once every peer is ready, RSS after GC, and the
 * history database's growth per peer-hour. Target: all three add ≤ 5% CPU and ≤ 50 MB.
 * Run, from the repository root after `npm run build`, `node --import tsx bench/recording-cost.ts` (the built packages, as the CLI runs them; peer threads load no TypeScript)
 * (env N = 1,000, WINDOW_S = 20, RUNS = 1); writes bench/results/recording-cost.md.
 *
 * - the simnet (packages/simnet) in a child process for the whole run, on 127.5.x.y;
 * - each configuration in a fresh child process, measured as bench/engine-scale.ts measures.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor, parseAddress, PoolExecutor } from '@peerscope/engine';
import { createRun, openHistory, Recorder } from '@peerscope/history';
import { startMetrics } from '@peerscope/metrics';
import { loopbackHosts, startBitcoinSimnet } from '@peerscope/simnet';
import { startWeb } from '@peerscope/web';
import { mainThreadCpuS, settledRss, sleep } from './support/measure.js';

const N = Number(process.env.N ?? 1_000);
const WINDOW_S = Number(process.env.WINDOW_S ?? 20);
const RUNS = Number(process.env.RUNS ?? 1);
const BASE = '127.5.0.1';
const CONFIGS = ['none', 'db', 'metrics', 'web', 'all'] as const;
type Config = (typeof CONFIGS)[number];
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};

interface Result {
  config: Config;
  ready: number;
  mainCpu: number;
  processCpu: number;
  rss: number;
  dbBytesPerPeerHour?: number;
  sampleRowsPerS?: number;
}


async function measure(config: Config, port: number): Promise<Result> {
  const addresses = loopbackHosts(BASE, N).map((h) => `${h}:${port}`);
  const executor = new PoolExecutor({ threads: 1, execArgv: [] });
  const monitor = createMonitor({ ...bitcoin({ network: 'regtest', pingIntervalMs: 1_000 }), seeds: addresses, target: N, executor, intervalMs: 1_000, allow: ['127.0.0.0/8'] });
  const closers: (() => Promise<void>)[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-bench-rec-'));
  const dbFile = path.join(dir, 'history.db');
  const dbBytes = () => ['', '-wal'].reduce((a, s) => a + (fs.existsSync(dbFile + s) ? fs.statSync(dbFile + s).size : 0), 0);
  let sampleRows = async () => 0;
  if (config === 'db' || config === 'all') {
    const sql = await openHistory(dbFile);
    const runId = await createRun(sql, { command: 'bench', vantage: 'bench', protocol: 'bitcoin', network: 'regtest', intervalMs: 1_000, target: N });
    const recorder = new Recorder(sql, runId, monitor, { onError: (l) => console.error(l) });
    sampleRows = async () => (await sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM samples'))[0].n;
    closers.push(async () => { await recorder.done; await sql.close(); });
  }
  if (config === 'metrics' || config === 'all') {
    const m = await startMetrics(monitor, { protocol: 'bitcoin', network: 'regtest', host: '127.0.0.1', port: 0 });
    const scraper = setInterval(() => void fetch(`${m.url}/metrics`).then((r) => r.text()), 5_000);
    closers.push(async () => { clearInterval(scraper); await m.close(); });
  }
  if (config === 'web' || config === 'all') {
    const w = await startWeb({ host: '127.0.0.1', port: 0, title: 'bench', live: monitor });
    const abort = new AbortController();
    // One page open: a client reading the server-sent events.
    void fetch(`${w.url}api/events`, { signal: abort.signal }).then(async (r) => { for await (const _ of r.body!) { /* read */ } }).catch(() => {});
    closers.push(async () => { abort.abort(); await w.close(); });
  }
  let ready = 0;
  monitor.stats$.subscribe((s) => (ready = s.ready));
  await monitor.start();
  const deadline = Date.now() + 120_000;
  while (ready < N && Date.now() < deadline) await sleep(200);
  await sleep(3_000);
  const bytes0 = dbBytes();
  const rows0 = await sampleRows();
  const main0 = mainThreadCpuS();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(WINDOW_S * 1_000);
  const wall = (performance.now() - t0) / 1_000;
  const cpu = process.cpuUsage(cpu0);
  const result: Result = {
    config, ready,
    mainCpu: ((mainThreadCpuS() - main0) / wall) * 100,
    processCpu: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
    rss: 0,
  };
  if (config === 'db' || config === 'all') {
    result.dbBytesPerPeerHour = ((dbBytes() - bytes0) / N / wall) * 3_600;
    result.sampleRowsPerS = ((await sampleRows()) - rows0) / wall;
  }
  result.rss = await settledRss(executor);
  await monitor.stop();
  for (const c of closers) await c();
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

async function orchestrate(): Promise<void> {
  const simnet = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--simnet', String(N)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    simnet.stdout!.once('data', (d) => resolve(JSON.parse(String(d).split('\n')[0]).port));
    simnet.once('exit', (code) => reject(new Error(`simnet exited ${code}`)));
  });
  const results: Result[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const config of CONFIGS) {
        const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--measure', config, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout!.on('data', (d) => (out += d));
        await new Promise((r) => child.once('exit', r));
        const r = JSON.parse(out.trim().split('\n').at(-1)!) as Result;
        console.log(`${config}: ${r.ready} ready, main ${r.mainCpu.toFixed(1)}% CPU, process ${r.processCpu.toFixed(1)}%, RSS ${(r.rss / 1e6).toFixed(0)} MB` +
          (r.dbBytesPerPeerHour !== undefined ? `, db +${(r.dbBytesPerPeerHour / 1e3).toFixed(0)} kB per peer-hour (${r.sampleRowsPerS!.toFixed(0)} samples/s)` : ''));
        results.push(r);
      }
    }
  } finally {
    simnet.stdin!.end();
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const of = (c: Config) => results.filter((r) => r.config === c);
  const row = (c: Config) => {
    const rs = of(c);
    return { main: median(rs.map((r) => r.mainCpu)), proc: median(rs.map((r) => r.processCpu)), rss: median(rs.map((r) => r.rss)), db: rs[0].dbBytesPerPeerHour, rows: rs[0].sampleRowsPerS };
  };
  const base = row('none');
  const lines = [
    '# Recording cost: history, metrics and the web page beside a 1,000-peer monitor',
    '',
    `Command: \`node --import tsx bench/recording-cost.ts\` (N=${N}, WINDOW_S=${WINDOW_S}, RUNS=${RUNS}). Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.`,
    `A simnet of ${N} regtest peers (packages/simnet, one child process, 127.5.x.y); the monitor in a fresh child per configuration with threads 1, every peer pinged each second and a snapshot each second (the busiest setting; the default is 5 s). Measured over ${WINDOW_S} s once all ${N} were ready; RSS after GC in every thread. --metrics is scraped every 5 s; --web has one page open on server-sent events.`,
    '',
    '| outputs | main-thread CPU | Δ | process CPU | Δ | RSS | Δ | history growth |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...CONFIGS.map((c) => {
      const r = row(c);
      const d = (x: number, y: number, unit: string, k = 1) => (c === 'none' ? '—' : `${x - y >= 0 ? '+' : ''}${((x - y) / k).toFixed(1)}${unit}`);
      return `| ${c === 'none' ? 'monitor alone' : c === 'all' ? '--db --metrics --web' : `--${c}`} | ${r.main.toFixed(1)}% | ${d(r.main, base.main, ' pt')} | ${r.proc.toFixed(1)}% | ${d(r.proc, base.proc, ' pt')} | ${(r.rss / 1e6).toFixed(0)} MB | ${d(r.rss, base.rss, ' MB', 1e6)} | ${r.db !== undefined ? `${(r.db / 1e3).toFixed(0)} kB/peer-hour (${r.rows!.toFixed(0)} samples/s)` : ''} |`;
    }),
    '',
    `CPU is percent of one core; Δ in percentage points over the monitor alone (no view: the CLI's view costs the same in every row). History growth is the SQLite file and its WAL over the window, per peer and hour, at this setting (every peer changes every second, so each gets a sample each interval; at the default 5 s interval with 30 s pings a quiet peer is a sample per ping).`,
    '',
  ];
  if (N === 1_000) fs.writeFileSync(fileURLToPath(new URL('./results/recording-cost.md', import.meta.url)), lines.join('\n'));
  console.log(lines.join('\n'));
}

if (arg('simnet')) {
  const simnet = await startBitcoinSimnet({ peers: Number(arg('simnet')), baseHost: BASE });
  process.stdout.write(JSON.stringify({ port: parseAddress(simnet.addresses[0]).port }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void simnet.close().then(() => process.exit(0)));
} else if (arg('measure')) {
  process.stdout.write(JSON.stringify(await measure(arg('measure') as Config, Number(arg('port')))) + '\n');
  process.exit(0);
} else {
  await orchestrate();
}
