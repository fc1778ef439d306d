import { pollEach, type RpcSnapshot } from '@peerscope/ethereum';
import { EXIT } from './base-command.js';
import { ndjson } from './views/json.js';
import { rpcRecord, rpcTable } from './views/rpc-table.js';
import { escapeControls } from './views/sanitize.js';

export interface RpcLiveOptions {
  intervalMs: number;
  durationMs?: number;
  timeoutMs: number;
  json: boolean;
  out?: NodeJS.WriteStream;
  /** Every poll's snapshots, e.g. for history, /metrics and the page (rpc-streams.ts). */
  onPoll?: (snapshots: RpcSnapshot[]) => void;
}

/**
 * Polls every endpoint on a loop of its own (pollEach: a slow or hanging endpoint delays only itself)
 * until --duration or Ctrl-C/SIGTERM, drawing the table each interval (or one JSON record per endpoint
 * per poll, then a summary).
 */
export async function runRpcLive(urls: string[], o: RpcLiveOptions): Promise<void> {
  const out = o.out ?? process.stdout;
  const record = ndjson((line) => out.write(line));
  const startedAt = Date.now();
  /** Endpoints that answered at least once in the run. */
  const answered = new Set<string>();
  const latest = new Map<string, RpcSnapshot>();
  const polls = new Map<string, number>();
  const tty = !o.json && out.isTTY === true;
  const stop = new AbortController();
  const finish = () => stop.abort();
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  const deadline = o.durationMs !== undefined ? setTimeout(finish, o.durationMs) : undefined;
  const current = () => urls.flatMap((u) => latest.get(u) ?? []);
  const draw = () => out.write(`${tty ? '\x1b[H\x1b[2J' : ''}${rpcTable(current(), o.intervalMs)}\n${tty ? '' : '\n'}`);
  // The table once every endpoint has answered or failed once, then every interval.
  let drawing: NodeJS.Timeout | undefined;
  await pollEach(urls, { intervalMs: o.intervalMs, timeoutMs: o.timeoutMs, signal: stop.signal }, (s) => {
    latest.set(s.url, s);
    polls.set(s.url, (polls.get(s.url) ?? 0) + 1);
    o.onPoll?.([s]);
    if (!s.error) answered.add(s.url);
    if (o.json) return record('rpc', rpcRecord(s), s.at);
    if (drawing === undefined && latest.size === urls.length) {
      draw();
      drawing = setInterval(draw, o.intervalMs);
    }
  });
  clearTimeout(deadline);
  clearInterval(drawing);
  process.off('SIGINT', finish);
  process.off('SIGTERM', finish);
  const last = current();
  const rounds = Math.max(0, ...polls.values());
  const summary = {
    at: Date.now(), startedAt, durationMs: Date.now() - startedAt, polls: rounds, endpoints: urls.length,
    failing: last.filter((s) => s.error).length, answered: answered.size, neverAnswered: urls.filter((u) => !answered.has(u)),
  };
  if (o.json) record('summary', summary, summary.at);
  if (rounds > 0 && answered.size === 0) {
    process.stderr.write(`peerscope: no endpoint ever answered (${escapeControls(last.map((s) => `${s.url}: ${s.error?.message ?? '?'}`).join('; '))})\n`);
    process.exitCode = EXIT.RPC_ALL_FAILED;
  }
}
