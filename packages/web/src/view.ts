import type { NetworkSnapshot, PeerStats } from '@peerscope/engine';
import type { PeerAtRow } from '@peerscope/history';

/** One peer row of the page: the fields of the live table, JSON for the browser (which shows it as text). */
export interface PageRow {
  address: string;
  state: string;
  reason: string | null;
  userAgent: string | null;
  version: number | null;
  services: string | null;
  bestHeight: number | null;
  pingMs: number | null;
  messagesIn: number | null;
  messagesOut: number | null;
  bytesIn: number | null;
  bytesOut: number | null;
}

/** What the page shows at one moment: the summary line, the table, the mixes, and one chart point. */
export interface PageView {
  title: string;
  at: number;
  live: boolean;
  summary: {
    ready: number;
    target: number;
    connecting: number;
    failed: number;
    consensusHeight: number | null;
    consensusPeers: number | null;
    known: number;
    tried: number;
    bytesInPerSec: number;
    bytesOutPerSec: number;
    uptimeMs: number;
  };
  peers: PageRow[];
  userAgents: Record<string, number>;
  failures: Record<string, number>;
  /** Messages in+out by command over the ready peers. */
  commands: Record<string, number>;
}

export interface ChartPoint {
  at: number;
  ready: number;
  consensusHeight: number | null;
  consensusPeers: number | null;
  /** Connections failed since the start. */
  failed: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
}

const MAX_ROWS = 2_000;

export function viewOfSnapshot(title: string, s: NetworkSnapshot): PageView {
  const commands: Record<string, number> = {};
  for (const p of s.peers) {
    if (p.state !== 'ready') continue;
    for (const c of Object.keys(p.byCommand)) commands[c] = (commands[c] ?? 0) + p.byCommand[c].messagesIn + p.byCommand[c].messagesOut;
  }
  return {
    title, at: s.at, live: true,
    summary: {
      ready: s.ready, target: s.target, connecting: s.connecting, failed: s.failed, consensusHeight: s.consensus?.height ?? null,
      consensusPeers: s.consensus?.peers ?? null, known: s.addresses.known, tried: s.addresses.tried,
      bytesInPerSec: s.rates.bytesIn, bytesOutPerSec: s.rates.bytesOut, uptimeMs: s.uptimeMs,
    },
    peers: s.peers.slice(0, MAX_ROWS).map(rowOfPeer),
    userAgents: { ...s.userAgents },
    failures: { ...s.failures },
    commands,
  };
}

function rowOfPeer(p: PeerStats): PageRow {
  return {
    address: p.address, state: p.state, reason: p.reason ?? null, userAgent: p.userAgent ?? null, version: p.version ?? null,
    services: p.services?.join(',') ?? null, bestHeight: p.bestHeight ?? null, pingMs: p.pingMs ?? null,
    messagesIn: p.messagesIn, messagesOut: p.messagesOut, bytesIn: p.bytesIn, bytesOut: p.bytesOut,
  };
}

export function rowOfHistory(p: PeerAtRow): PageRow {
  return {
    address: p.address, state: p.state, reason: p.reason, userAgent: p.userAgent, version: p.version, services: p.services,
    bestHeight: p.bestHeight, pingMs: p.pingMs, messagesIn: p.messagesIn, messagesOut: p.messagesOut, bytesIn: p.bytesIn, bytesOut: p.bytesOut,
  };
}

export function pointOf(v: PageView): ChartPoint {
  return {
    at: v.at, ready: v.summary.ready, consensusHeight: v.summary.consensusHeight, consensusPeers: v.summary.consensusPeers,
    failed: v.summary.failed, bytesInPerSec: v.summary.bytesInPerSec, bytesOutPerSec: v.summary.bytesOutPerSec,
  };
}
