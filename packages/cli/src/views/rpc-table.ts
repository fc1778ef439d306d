import type { RpcSnapshot } from '@peerscope/ethereum';
import { columns, ms, time } from './format.js';
import { escapeControls } from './sanitize.js';

/** The live view: one row per endpoint; an endpoint that failed shows its error in place of its fields. */
export function rpcTable(snapshots: RpcSnapshot[], intervalMs: number): string {
  const at = snapshots[0]?.at ?? Date.now();
  const head = `peerscope · ethereum-rpc · ${time(at)} UTC · ${snapshots.length} endpoint${snapshots.length === 1 ? '' : 's'} · every ${intervalMs / 1000}s`;
  const header = ['URL', 'CLIENT', 'NET/CHAIN', 'PEERS', 'LISTEN', 'SYNC', 'BLOCK', 'HEAD HASH', 'AGE', 'TXS', 'GAS gwei', 'MINING', 'RTT ms', 'ERRORS'];
  const rows = snapshots.map((s) => {
    if (s.error) return [escapeControls(s.url), escapeControls(`${s.error.kind}: ${s.error.message}`), '', '', '', '', '', '', '', '', '', '', ms(s.latencyMs), ''];
    const b = s.latestBlock;
    const fieldErrors = Object.entries(s.errors).map(([f, e]) => `${f}: ${e!.kind}`).join(', ');
    return [
      escapeControls(s.url),
      s.clientVersion === undefined ? '-' : escapeControls(s.clientVersion),
      escapeControls(`${s.networkId ?? '-'}/${s.chainId ?? '-'}`),
      s.peerCount !== undefined ? String(s.peerCount) : '-',
      yesNo(s.listening),
      s.syncing === undefined ? '-' : s.syncing === false ? 'no' : `${s.syncing.currentBlock}/${s.syncing.highestBlock}`,
      s.blockNumber !== undefined ? String(s.blockNumber) : '-',
      b ? `${b.hash.slice(0, 10)}…` : '-',
      b ? `${Math.max(0, Math.round(s.at / 1000 - b.timestamp))}s` : '-',
      b ? String(b.transactionCount) : '-',
      s.gasPrice !== undefined ? gwei(s.gasPrice) : '-',
      yesNo(s.mining),
      ms(s.latencyMs),
      escapeControls(fieldErrors),
    ];
  });
  return `${head}\n${columns([header, ...rows], [40, 40, 16, 6, 6, 20, 10, 12, 8, 5, 10, 6, 8, 60])}`;
}

/** One poll of one endpoint as an NDJSON record: every field present, null when absent. */
export function rpcRecord(s: RpcSnapshot): Record<string, unknown> {
  return {
    url: s.url, at: s.at, latencyMs: s.latencyMs, error: s.error ?? null, clientVersion: s.clientVersion ?? null, networkId: s.networkId ?? null,
    chainId: s.chainId ?? null, listening: s.listening ?? null, peerCount: s.peerCount ?? null, syncing: s.syncing ?? null,
    blockNumber: s.blockNumber ?? null, gasPrice: s.gasPrice ?? null, mining: s.mining ?? null, latestBlock: s.latestBlock ?? null, errors: s.errors,
  };
}

function yesNo(v: boolean | undefined): string {
  return v === undefined ? '-' : v ? 'yes' : 'no';
}

/** wei (decimal string) → gwei with about three significant digits. */
function gwei(wei: string): string {
  const v = Number(BigInt(wei)) / 1e9;
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);
}
