import { DEFAULT_RPC_TIMEOUT_MS, errorOf, rpcCall, RpcError, type RpcErrorKind } from './client.js';
import { blockSummary, type BlockSummary } from './queries.js';
import { quantity, quantityBig } from './quantity.js';

export interface SyncProgress {
  startingBlock: number;
  currentBlock: number;
  highestBlock: number;
}

/** One poll of one endpoint. Plain data (numbers and strings) so it can cross threads and go to NDJSON. */
export interface RpcSnapshot {
  url: string;
  /** When the poll started, ms since the epoch. */
  at: number;
  /** Wall time of the whole poll. */
  latencyMs: number;
  /** Set when the endpoint as a whole failed: nothing answered, or everything failed the same way. */
  error?: { kind: RpcErrorKind; message: string };
  clientVersion?: string;
  networkId?: string;
  chainId?: number;
  listening?: boolean;
  peerCount?: number;
  syncing?: false | SyncProgress;
  blockNumber?: number;
  /** Wei, decimal. */
  gasPrice?: string;
  mining?: boolean;
  latestBlock?: BlockSummary;
  /** Per-field failures (a node may lack a method, e.g. eth_mining after the merge). */
  errors: Partial<Record<RpcField, { kind: RpcErrorKind; message: string }>>;
}

export type RpcField =
  | 'clientVersion' | 'networkId' | 'chainId' | 'listening' | 'peerCount' | 'syncing' | 'blockNumber'
  | 'gasPrice' | 'mining' | 'latestBlock';

export interface PollOptions {
  timeoutMs?: number;
}

type Getter = (url: string, timeoutMs: number) => Promise<unknown>;
const call = (method: string, params: unknown[] = []) => (url: string, timeoutMs: number) => rpcCall(url, method, params, { timeoutMs });
const FIELDS: Record<RpcField, [Getter, (raw: unknown) => unknown]> = {
  clientVersion: [call('web3_clientVersion'), (r) => str(r, 'clientVersion')],
  networkId: [call('net_version'), (r) => str(r, 'networkId')],
  chainId: [call('eth_chainId'), (r) => quantity(r, 'chainId')],
  listening: [call('net_listening'), (r) => bool(r, 'listening')],
  peerCount: [call('net_peerCount'), (r) => quantity(r, 'peerCount')],
  syncing: [call('eth_syncing'), syncing],
  blockNumber: [call('eth_blockNumber'), (r) => quantity(r, 'blockNumber')],
  gasPrice: [call('eth_gasPrice'), (r) => quantityBig(r, 'gasPrice').toString()],
  mining: [call('eth_mining'), (r) => bool(r, 'mining')],
  latestBlock: [call('eth_getBlockByNumber', ['latest', false]), (r) => {
    if (r === null) throw new RpcError('rpc-error', 'no latest block');
    return blockSummary(r as Record<string, unknown>);
  }],
};

/**
 * Polls every field in parallel. Never throws: a slow, failing or non-JSON endpoint comes back with
 * `error` set (and per-field errors), so a monitor of many endpoints goes on with the others.
 */
export async function pollEndpoint(url: string, options: PollOptions = {}): Promise<RpcSnapshot> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  const at = Date.now();
  const started = performance.now();
  const snapshot: RpcSnapshot = { url, at, latencyMs: 0, errors: {} };
  const names = Object.keys(FIELDS) as RpcField[];
  const results = await Promise.allSettled(names.map(async (name) => {
    const [get, parse] = FIELDS[name];
    return parse(await get(url, timeoutMs));
  }));
  results.forEach((r, i) => {
    const name = names[i];
    if (r.status === 'fulfilled') (snapshot as unknown as Record<string, unknown>)[name] = r.value;
    else snapshot.errors[name] = errorOf(r.reason);
  });
  snapshot.latencyMs = Math.round((performance.now() - started) * 10) / 10;
  const failures = Object.values(snapshot.errors);
  if (failures.length === names.length) {
    // Everything failed: report the endpoint's failure once (transport problems first, they explain the rest).
    const order: RpcErrorKind[] = ['unreachable', 'timeout', 'http', 'non-json', 'rpc-error'];
    const worst = failures.slice().sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))[0];
    snapshot.error = worst;
  }
  return snapshot;
}

function str(r: unknown, field: string): string {
  if (typeof r !== 'string') throw new RpcError('non-json', `${field}: not a string`);
  return r;
}

function bool(r: unknown, field: string): boolean {
  if (typeof r !== 'boolean') throw new RpcError('non-json', `${field}: not a boolean`);
  return r;
}

function syncing(r: unknown): false | SyncProgress {
  if (r === false) return false;
  if (!r || typeof r !== 'object') throw new RpcError('non-json', 'syncing: not false or an object');
  const o = r as Record<string, unknown>;
  return {
    startingBlock: quantity(o.startingBlock ?? '0x0', 'startingBlock'),
    currentBlock: quantity(o.currentBlock, 'currentBlock'),
    highestBlock: quantity(o.highestBlock, 'highestBlock'),
  };
}

export interface PollEachOptions extends PollOptions {
  /** Each endpoint is polled this often (a poll taking longer delays only that endpoint's next one). */
  intervalMs: number;
  /** Stops every loop (the poll in flight is abandoned: its calls are aborted by their own timeout). */
  signal: AbortSignal;
}

/**
 * Polls every endpoint on a loop of its own, so a slow or hanging endpoint delays only itself: an
 * honest endpoint beside one that answers after its timeout is still polled every interval (awaiting
 * all of them together polled the honest one at the pace of the slowest). Resolves once stopped.
 */
export async function pollEach(urls: readonly string[], options: PollEachOptions, onSnapshot: (snapshot: RpcSnapshot) => void): Promise<void> {
  const { signal, intervalMs } = options;
  const loop = async (url: string) => {
    while (!signal.aborted) {
      const tick = Date.now();
      const snapshot = await pollEndpoint(url, options);
      if (signal.aborted) return;
      onSnapshot(snapshot);
      const wait = tick + intervalMs - Date.now();
      if (wait > 0) await sleep(wait, signal);
    }
  };
  await Promise.all(urls.map(loop));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
