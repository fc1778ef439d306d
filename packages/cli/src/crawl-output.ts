import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Flags } from '@oclif/core';
import type { CrawlEnd, CrawlProgress, DialSummary } from '@peerscope/crawler';
import { createRun, defaultDbPath, HistoryOpenError, isPostgresUrl, openHistory, Recorder, type Sql } from '@peerscope/history';
import { EnvironmentError, EXIT, UsageError } from './base-command.js';
import { durationFlag, monitorFlags } from './flags.js';
import { outputFlags } from './outputs.js';
import { crawlProgressLine } from './views/crawl.js';
import { ndjson } from './views/json.js';

/** The flags every crawl shares (Bitcoin, Ethereum); `out` names the layouts of its .json. */
export function crawlFlags(o: { jsonLayout: string }) {
  return {
    concurrency: Flags.integer({ description: 'connections open at once', default: 500, min: 1, max: 10_000 }),
    'max-nodes': Flags.integer({ description: 'stop dialling after this many nodes were tried', min: 1 }),
    duration: monitorFlags.duration,
    timeout: durationFlag({ description: 'TCP connect and handshake timeout of each dial', default: 5_000, min: 100 }),
    threads: monitorFlags.threads,
    allow: monitorFlags.allow,
    deny: monitorFlags.deny,
    out: Flags.string({ description: `write the crawl to FILE: .json (${o.jsonLayout}) or .csv (one row per node)`, helpValue: '<file>' }),
    interval: durationFlag({ description: 'how often a --json progress record is written', default: 1_000, min: 100 }),
    json: Flags.boolean({ description: 'write NDJSON progress records to stdout, then the summary' }),
    db: outputFlags.db,
    'no-db': outputFlags['no-db'],
    vantage: outputFlags.vantage,
  };
}

/** The values of crawlFlags a command parsed. */
export interface CrawlFlagValues {
  concurrency: number;
  'max-nodes'?: number;
  duration?: number;
  timeout: number;
  threads: number;
  allow?: string[];
  deny?: string[];
  out?: string;
  interval: number;
  json: boolean;
  db?: string;
  'no-db': boolean;
  vantage?: string;
}

/** What crawlFlags mean to a crawl's options (the protocol's own come on top). */
export function crawlOptions(flags: CrawlFlagValues) {
  return {
    threads: flags.threads, concurrency: flags.concurrency, maxNodes: flags['max-nodes'], durationMs: flags.duration, allow: flags.allow, deny: flags.deny,
    timeouts: { connectMs: flags.timeout, handshakeMs: flags.timeout, stallMs: flags.timeout },
    progressIntervalMs: flags.json ? flags.interval : 250,
  };
}

/** --out: .json or .csv, in a folder that exists (peerscope never creates folders the user did not ask for). */
export function checkOut(file: string): { file: string; kind: 'json' | 'csv' } {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.json' && ext !== '.csv') throw new UsageError(`--out ${file}: the format is chosen by extension, .json or .csv`);
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--out ${file}: the folder ${path.dirname(file)} does not exist (create it first)`);
  return { file, kind: ext === '.json' ? 'json' : 'csv' };
}

/** What runCrawl needs of a crawler: the Bitcoin and the Ethereum crawl both are one. */
export interface RunnableCrawl<R> {
  readonly progress$: import('rxjs').Observable<CrawlProgress>;
  readonly events$: ConstructorParameters<typeof Recorder>[2]['events$'];
  readonly stats$: ConstructorParameters<typeof Recorder>[2]['stats$'];
  run(): Promise<R>;
  stop(): void;
}

/** How a crawl's result is written and told: its snapshot layouts, its summary, and the summary as text. */
export interface CrawlReport<R, S extends DialSummary> {
  /** The history run's command ("crawl bitcoin") and protocol. */
  command: string;
  protocol: string;
  network: string;
  /** What the --out line counts: "addresses", "nodes". */
  noun: string;
  /** Every flag as parsed, recorded with the run. */
  flags: CrawlFlagValues & Record<string, unknown>;
  json(result: R): unknown;
  csv(result: R): string;
  summarize(result: R): S;
  /** The summary for a reader; peer strings escaped. */
  text(summary: S, ended: CrawlEnd): string;
}

/**
 * Runs a crawl as every crawl command does: recorded in the history database unless --no-db, a progress
 * line on a terminal (stderr) or NDJSON progress with --json, Ctrl-C (or SIGTERM) ends it keeping what was
 * crawled; then --out (written beside and renamed), the summary (NDJSON or text), and exit code 3 when no
 * node could be reached.
 */
export async function runCrawl<R extends { ended: CrawlEnd; warnings: string[] }, S extends DialSummary>(crawler: RunnableCrawl<R>, report: CrawlReport<R, S>): Promise<void> {
  const { flags } = report;
  const out = flags.out ? checkOut(flags.out) : undefined;
  // Opened before anything is dialled: a database that cannot be opened ends the run here (exit 2).
  const history = flags['no-db'] ? undefined : await recordCrawl(crawler, report);
  if (history && !flags.json) process.stderr.write(`peerscope: recording run ${history.runId} into ${history.where}\n`);
  const write = (text: string) => {
    if (!process.stdout.destroyed) process.stdout.write(text);
  };
  const record = ndjson(write);
  const meta = { protocol: report.protocol, network: report.network };
  const tty = !flags.json && process.stderr.isTTY === true;
  let lastJson = 0;
  const subscription = crawler.progress$.subscribe((p) => {
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
  let result: R;
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
    const text = out.kind === 'json' ? `${JSON.stringify(report.json(result))}\n` : report.csv(result);
    // Written beside the file and renamed: a reader never sees half a snapshot.
    const tmp = `${out.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, out.file);
  }
  const summary = report.summarize(result);
  if (flags.json) record('summary', { ...meta, ended: result.ended, ...summary, out: flags.out ?? null });
  else write(`${report.text(summary, result.ended)}\n${flags.out ? `wrote ${summary.found} ${report.noun} (${summary.reachable} reachable) to ${flags.out}\n` : ''}`);
  if (summary.reachable === 0) {
    process.stderr.write(`peerscope: no node could be reached (${summary.tried} tried)\n`);
    process.exitCode = EXIT.NO_PEER_READY;
  }
}

/**
 * The crawl recorded as a run in the history database, as monitors record theirs: each dial a session
 * (address, state, reason, what its handshake said), snapshots every second.
 */
async function recordCrawl(crawler: RunnableCrawl<unknown>, o: Pick<CrawlReport<unknown, DialSummary>, 'command' | 'protocol' | 'network' | 'flags'>): Promise<{ runId: number; where: string; close(): Promise<void> }> {
  const { flags } = o;
  let sql: Sql;
  try {
    sql = await openHistory(flags.db ?? defaultDbPath());
  } catch (err) {
    throw err instanceof HistoryOpenError ? new EnvironmentError(err.message) : err;
  }
  try {
    const recorded = { ...flags, db: flags.db && isPostgresUrl(flags.db) ? sql.where : flags.db };
    const runId = await createRun(sql, {
      command: o.command, flags: recorded, protocol: o.protocol, network: o.network, intervalMs: 1_000, target: flags.concurrency, vantage: flags.vantage ?? os.hostname(),
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
