import os from 'node:os';
import { Flags } from '@oclif/core';
import { createRun, defaultDbPath, HistoryOpenError, isPostgresUrl, openHistory, Recorder, type Sql, type Streams } from '@peerscope/history';
import { parseListen } from '@peerscope/metrics';
import { EnvironmentError } from './base-command.js';

const listenFlag = Flags.custom<{ host: string; port: number }>({ parse: async (input) => parseListen(input), helpValue: '[HOST:]PORT' });

/**
 * The outputs beside the view, for every monitor: history (on by default), /metrics and the web page
 * (off unless asked). Each is one more subscriber of the monitor's streams.
 */
export const outputFlags = {
  db: Flags.string({ description: 'record the run into this history database: a file or a postgres:// URL (default: $XDG_DATA_HOME/peerscope/history.db)', exclusive: ['no-db'] }),
  'no-db': Flags.boolean({ description: 'do not record this run' }),
  vantage: Flags.string({ description: 'name of this monitor in the history, when several write to one database (default: the host name)' }),
  metrics: listenFlag({ description: 'serve Prometheus metrics on http://[HOST:]PORT/metrics (host default 127.0.0.1)' }),
  'metrics-per-peer': Flags.boolean({ description: 'with --metrics: also one series per ready peer (address label)' }),
  web: listenFlag({ description: 'serve the live page on http://[HOST:]PORT/ (host default 127.0.0.1)' }),
};

export interface OutputSettings {
  db?: string;
  'no-db'?: boolean;
  vantage?: string;
  metrics?: { host: string; port: number };
  'metrics-per-peer'?: boolean;
  web?: { host: string; port: number };
}

export interface OutputContext {
  /** The command as typed, e.g. "monitor bitcoin". */
  command: string;
  title: string;
  protocol: string;
  network: string;
  intervalMs: number;
  target: number;
  /** The parsed flags, recorded with the run (a database URL's password is left out). */
  flags: Record<string, unknown>;
  /**
   * One line for the person watching, on screen or on stderr: `info` (where the run is recorded) may be
   * left out where stderr should stay quiet (--json, --csv); `asked` (a URL the user asked for) and
   * `error` may not.
   */
  say: (line: string, kind: 'info' | 'asked' | 'error') => void;
}

export interface Outputs {
  /** After the monitor stopped: waits for the final interval to be written, then closes everything. */
  close(): Promise<void>;
}

/**
 * Opens what the flags ask for, before any peer is dialled: a database or port that cannot be opened
 * is an EnvironmentError (one line, exit code 2). Then follows the monitor until close().
 */
export async function startOutputs(monitor: Streams, settings: OutputSettings, c: OutputContext): Promise<Outputs> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const f of closers.reverse()) await f().catch(() => {});
  };
  try {
    let history: { sql: Sql; runId: number } | undefined;
    if (!settings['no-db']) {
      const target = settings.db ?? defaultDbPath();
      let sql: Sql;
      try {
        sql = await openHistory(target);
      } catch (err) {
        throw err instanceof HistoryOpenError ? new EnvironmentError(err.message) : err;
      }
      closers.push(() => sql.close());
      const flags = { ...c.flags, db: settings.db && isPostgresUrl(settings.db) ? sql.where : settings.db };
      const runId = await createRun(sql, {
        command: c.command, flags, protocol: c.protocol, network: c.network, intervalMs: c.intervalMs, target: c.target,
        vantage: settings.vantage ?? os.hostname(),
      });
      const recorder = new Recorder(sql, runId, monitor, { onError: (line) => c.say(line, 'error') });
      // The last interval is written before the database closes.
      closers.push(async () => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([recorder.done, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
        clearTimeout(timer);
        recorder.stop();
      });
      history = { sql, runId };
      c.say(`recording run ${runId} into ${sql.where}`, 'info');
    }
    if (settings.metrics) {
      // Loaded only when asked for: prom-client and the page cost every other run nothing.
      const { startMetrics } = await import('@peerscope/metrics');
      const m = await startMetrics(monitor, { ...settings.metrics, protocol: c.protocol, network: c.network, perPeer: settings['metrics-per-peer'] })
        .catch((err) => { throw listenError('--metrics', settings.metrics!, err); });
      closers.push(() => m.close());
      c.say(`metrics on ${m.url}/metrics`, 'asked');
    }
    if (settings.web) {
      const { startWeb } = await import('@peerscope/web');
      const w = await startWeb({ ...settings.web, title: c.title, live: monitor, history })
        .catch((err) => { throw listenError('--web', settings.web!, err); });
      closers.push(() => w.close());
      c.say(`web page on ${w.url}`, 'asked');
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { close };
}

/** A port that cannot be listened on, named with the flag that asked for it. */
function listenError(flag: string, at: { host: string; port: number }, err: unknown): Error {
  const code = (err as { code?: string }).code;
  const where = `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
  switch (code) {
    case 'EADDRINUSE': return new EnvironmentError(`${flag}: ${where} is already in use (pick another port; 0 picks a free one)`);
    case 'EADDRNOTAVAIL': return new EnvironmentError(`${flag}: ${at.host} is not an address of this machine`);
    case 'EACCES': return new EnvironmentError(`${flag}: no permission to listen on ${where} (ports below 1024 need privileges)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return new EnvironmentError(`${flag}: ${at.host} does not resolve`);
    default: return err as Error;
  }
}
