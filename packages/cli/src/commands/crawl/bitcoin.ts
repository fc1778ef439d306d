import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Flags } from '@oclif/core';
import { bitcoin, getNetwork, NETWORKS } from '@peerscope/bitcoin';
import { bitnodesSnapshot, crawl, crawlCsv, summarize, type Crawler, type CrawlProgress } from '@peerscope/crawler';
import { createRun, defaultDbPath, HistoryOpenError, isPostgresUrl, openHistory, Recorder, type Sql } from '@peerscope/history';
import { BaseCommand, EnvironmentError, EXIT, UsageError } from '../../base-command.js';
import { outputFlags } from '../../outputs.js';
import { durationFlag, monitorFlags, networkFlag, seedFlag } from '../../flags.js';
import { crawlProgressLine, crawlSummaryText } from '../../views/crawl.js';
import { ndjson } from '../../views/json.js';

export default class CrawlBitcoin extends BaseCommand {
  static summary = 'Map a Bitcoin network: handshake once with every node it learns of';
  static description = `Starts from --seed nodes (or the network's DNS seeds), handshakes with every address it learns (getaddr), records each node's version message, handshake latency and the addresses it returned, and why the unreachable ones failed, until no address is left (or --max-nodes, --duration). A progress line on a terminal, NDJSON progress with --json; --out writes a snapshot (.json in bitnodes' layout, .csv one row per node). Ctrl-C ends the crawl and writes what was crawled so far.`;
  static examples = [
    '<%= config.bin %> crawl bitcoin --seed 127.0.0.1:18444 --network regtest --allow 127.0.0.0/8 --out nodes.json',
    '<%= config.bin %> crawl bitcoin --concurrency 500 --threads 2 --duration 10m --out snapshot.csv',
    '<%= config.bin %> crawl bitcoin --seed 127.0.0.1:18444 --network regtest --json --max-nodes 1000',
  ];
  static flags = {
    seed: seedFlag({ description: 'a node to start from, host:port (repeatable; hostnames are resolved)', multiple: true }),
    network: networkFlag({
      description: 'Bitcoin network (any case; Core\'s names main, test also work)', names: NETWORKS.map((n) => n.name), default: 'mainnet',
      canonical: (name) => { try { return getNetwork(name.trim()).name; } catch { return undefined; } },
    }),
    concurrency: Flags.integer({ description: 'connections open at once', default: 500, min: 1, max: 10_000 }),
    'max-nodes': Flags.integer({ description: 'stop dialling after this many addresses were tried', min: 1 }),
    duration: monitorFlags.duration,
    'addr-wait': durationFlag({ description: 'how long a node gets to answer getaddr before we hang up', default: 3_000, min: 100 }),
    timeout: durationFlag({ description: 'TCP connect and handshake timeout of each dial', default: 5_000, min: 100 }),
    threads: monitorFlags.threads,
    allow: monitorFlags.allow,
    deny: monitorFlags.deny,
    out: Flags.string({ description: 'write the crawl to FILE: .json (bitnodes snapshot layout) or .csv (one row per node)', helpValue: '<file>' }),
    interval: durationFlag({ description: 'how often a --json progress record is written', default: 1_000, min: 100 }),
    json: Flags.boolean({ description: 'write NDJSON progress records to stdout, then the summary' }),
    db: outputFlags.db,
    'no-db': outputFlags['no-db'],
    vantage: outputFlags.vantage,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CrawlBitcoin);
    const out = flags.out && checkOut(flags.out);
    const choice = bitcoin({ network: flags.network as never });
    const crawler = crawl({
      ...choice, seeds: flags.seed, threads: flags.threads, concurrency: flags.concurrency, maxNodes: flags['max-nodes'],
      durationMs: flags.duration, addrWaitMs: flags['addr-wait'], allow: flags.allow, deny: flags.deny,
      timeouts: { connectMs: flags.timeout, handshakeMs: flags.timeout, stallMs: flags.timeout },
      progressIntervalMs: flags.json ? flags.interval : 250,
    });
    // Opened before anything is dialled: a database that cannot be opened ends the run here (exit 2).
    const history = flags['no-db'] ? undefined : await recordCrawl(crawler, { db: flags.db, vantage: flags.vantage, network: flags.network, flags, intervalMs: 1_000, concurrency: flags.concurrency });
    if (history && !flags.json) process.stderr.write(`peerscope: recording run ${history.runId} into ${history.where}\n`);
    const write = (text: string) => {
      if (!process.stdout.destroyed) process.stdout.write(text);
    };
    const record = ndjson(write);
    const meta = { protocol: 'bitcoin', network: flags.network };
    const tty = !flags.json && process.stderr.isTTY === true;
    let lastJson = 0;
    const subscription = crawler.progress$.subscribe((p: CrawlProgress) => {
      if (flags.json) {
        const at = Date.now();
        if (at - lastJson >= flags.interval - 50) record('progress', { ...meta, ...p }, (lastJson = at));
      } else if (tty) {
        process.stderr.write(`\r\x1b[2K${crawlProgressLine(p, (process.stderr.columns || Number(process.env.COLUMNS) || 80) - 1)}`);
      }
    });
    const onSignal = () => crawler.stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let result;
    try {
      result = await crawler.run();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      subscription.unsubscribe();
      if (tty) process.stderr.write('\r\x1b[2K');
    }
    await history?.close();
    for (const w of result.warnings) process.stderr.write(`peerscope: warning: ${w}\n`);
    if (out) {
      const text = out.kind === 'json' ? `${JSON.stringify(bitnodesSnapshot(result))}\n` : crawlCsv(result);
      // Written beside the file and renamed: a reader never sees half a snapshot.
      const tmp = `${out.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, out.file);
    }
    const summary = summarize(result);
    if (flags.json) record('summary', { ...meta, ended: result.ended, ...summary, out: flags.out ?? null });
    else write(`${crawlSummaryText(summary, `bitcoin ${flags.network}`, result.ended)}\n${flags.out ? `wrote ${summary.found} addresses (${summary.reachable} reachable) to ${flags.out}\n` : ''}`);
    if (summary.reachable === 0) {
      process.stderr.write(`peerscope: no node could be reached (${summary.tried} tried)\n`);
      process.exitCode = EXIT.NO_PEER_READY;
    }
  }
}

/** --out: .json or .csv, in a folder that exists (peerscope never creates folders the user did not ask for). */
function checkOut(file: string): { file: string; kind: 'json' | 'csv' } {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.json' && ext !== '.csv') throw new UsageError(`--out ${file}: the format is chosen by extension, .json or .csv`);
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--out ${file}: the folder ${path.dirname(file)} does not exist (create it first)`);
  return { file, kind: ext === '.json' ? 'json' : 'csv' };
}

/**
 * The crawl recorded as a run in the history database, as monitors record theirs: each dial a session
 * (address, state, reason, version, user agent, services, start height), snapshots every interval.
 */
async function recordCrawl(crawler: Crawler, o: { db?: string; vantage?: string; network: string; flags: Record<string, unknown>; intervalMs: number; concurrency: number }): Promise<{ runId: number; where: string; close(): Promise<void> }> {
  let sql: Sql;
  try {
    sql = await openHistory(o.db ?? defaultDbPath());
  } catch (err) {
    throw err instanceof HistoryOpenError ? new EnvironmentError(err.message) : err;
  }
  try {
    const flags = { ...o.flags, db: o.db && isPostgresUrl(o.db) ? sql.where : o.db };
    const runId = await createRun(sql, {
      command: 'crawl bitcoin', flags, protocol: 'bitcoin', network: o.network, intervalMs: o.intervalMs, target: o.concurrency, vantage: o.vantage ?? os.hostname(),
    });
    const recorder = new Recorder(sql, runId, crawler, { onError: (line) => process.stderr.write(`peerscope: ${line}\n`) });
    return {
      runId, where: sql.where,
      async close() {
        // The last interval is written before the database closes.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([recorder.done, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
        clearTimeout(timer);
        recorder.stop();
        await sql.close();
      },
    };
  } catch (err) {
    await sql.close().catch(() => {});
    throw err;
  }
}
