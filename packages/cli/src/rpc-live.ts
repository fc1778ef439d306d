import { pollEndpoint, type RpcSnapshot } from '@peerscope/ethereum';
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
 * Polls every endpoint each interval until --duration or Ctrl-C/SIGTERM, drawing the table (or one JSON
 * record per endpoint per poll, then a summary).
 */
export async function runRpcLive(urls: string[], o: RpcLiveOptions): Promise<void> {
  const out = o.out ?? process.stdout;
  const record = ndjson((line) => out.write(line));
  const startedAt = Date.now();
  let polls = 0;
  /** Endpoints that answered at least once in the run. */
  const answered = new Set<string>();
  const tty = !o.json && out.isTTY === true;
  let stop = false;
  const finish = () => { stop = true; };
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  const deadline = o.durationMs !== undefined ? Date.now() + o.durationMs : Infinity;
  let last: RpcSnapshot[] = [];
  while (!stop && Date.now() < deadline) {
    const tick = Date.now();
    last = await Promise.all(urls.map((u) => pollEndpoint(u, { timeoutMs: o.timeoutMs })));
    polls++;
    o.onPoll?.(last);
    for (const s of last) if (!s.error) answered.add(s.url);
    if (o.json) for (const s of last) record('rpc', rpcRecord(s), s.at);
    else out.write(`${tty ? '\x1b[H\x1b[2J' : ''}${rpcTable(last, o.intervalMs)}\n${tty ? '' : '\n'}`);
    const wait = Math.min(tick + o.intervalMs, deadline) - Date.now();
    if (wait > 0) await sleepUnless(wait, () => stop);
  }
  process.off('SIGINT', finish);
  process.off('SIGTERM', finish);
  const summary = {
    at: Date.now(), startedAt, durationMs: Date.now() - startedAt, polls, endpoints: urls.length,
    failing: last.filter((s) => s.error).length, answered: answered.size, neverAnswered: urls.filter((u) => !answered.has(u)),
  };
  if (o.json) record('summary', summary, summary.at);
  if (polls > 0 && answered.size === 0) {
    process.stderr.write(`peerscope: no endpoint ever answered (${escapeControls(last.map((s) => `${s.url}: ${s.error?.message ?? '?'}`).join('; '))})\n`);
    process.exitCode = EXIT.RPC_ALL_FAILED;
  }
}

function sleepUnless(msTotal: number, stopped: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const end = Date.now() + msTotal;
    const step = () => (stopped() || Date.now() >= end ? resolve() : setTimeout(step, Math.min(100, end - Date.now())));
    step();
  });
}
