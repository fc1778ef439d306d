import { pollEndpoint, type RpcSnapshot } from '@peerscope/ethereum';
import { rpcJsonLine, rpcSummaryLine, rpcTable } from './views/rpc-table.js';

export interface RpcLiveOptions {
  intervalMs: number;
  durationMs?: number;
  timeoutMs: number;
  json: boolean;
  out?: NodeJS.WriteStream;
}

/**
 * Polls every endpoint each interval until --duration or Ctrl-C/SIGTERM, drawing the table (or one JSON
 * record per endpoint per poll, then a summary).
 */
export async function runRpcLive(urls: string[], o: RpcLiveOptions): Promise<void> {
  const out = o.out ?? process.stdout;
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
    if (o.json) for (const s of last) out.write(rpcJsonLine(s));
    else out.write(`${tty ? '\x1b[H\x1b[2J' : ''}${rpcTable(last, o.intervalMs)}\n${tty ? '' : '\n'}`);
    const wait = Math.min(tick + o.intervalMs, deadline) - Date.now();
    if (wait > 0) await sleepUnless(wait, () => stop);
  }
  process.off('SIGINT', finish);
  process.off('SIGTERM', finish);
  if (o.json) out.write(rpcSummaryLine(last));
}

function sleepUnless(msTotal: number, stopped: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const end = Date.now() + msTotal;
    const step = () => (stopped() || Date.now() >= end ? resolve() : setTimeout(step, Math.min(100, end - Date.now())));
    step();
  });
}
