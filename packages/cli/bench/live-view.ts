// The live view's cost at scale: one redraw (rows per address + sort + the visible rows formatted) of a
// session of N peers, as the terminal view does it each interval. Pure views, no sockets:
//   node --import tsx --conditions=source packages/cli/bench/live-view.ts [peers=10000]
import { buildSnapshot, RunLedger, StatsCollector, type PeerEvent } from '@peerscope/engine';
import { rowNotices } from '../src/live.js';
import { peerRows } from '../src/views/rows.js';
import { INITIAL_SCREEN, renderScreen } from '../src/views/screen.js';

const N = Number(process.argv[2] ?? 10_000);
const T0 = Date.now() - 60_000;
const stats = new StatsCollector();
const ledger = new RunLedger(T0);
let at = T0;
const feed = (e: PeerEvent) => {
  stats.apply(e);
  ledger.apply(e);
};
for (let i = 0; i < N; i++) {
  const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8333`;
  const peer = `p${i}`;
  const ev = (body: object) => feed({ ...body, peer, address, at: (at += 1) } as PeerEvent);
  ev({ type: 'state', state: 'connecting' });
  if (i % 20 === 0) {
    ev({ type: 'state', state: 'failed', reason: 'refused' });
    continue;
  }
  ev({ type: 'state', state: 'handshaking' });
  ev({ type: 'handshake', info: { version: 70016, userAgent: `/Satoshi:2${i % 8}.0.0/`, services: ['NETWORK', 'WITNESS', 'NETWORK_LIMITED'], startHeight: 900_000 + (i % 3) } });
  ev({ type: 'state', state: 'ready' });
  ev({ type: 'rtt', ms: 20 + (i % 200) });
  ev({ type: 'message', dir: 'in', command: 'inv', bytes: 61 * (1 + (i % 5)), count: 1 + (i % 5) });
  ev({ type: 'message', dir: 'out', command: 'ping', bytes: 32, count: 1 });
}
const snapshot = buildSnapshot({ peers: stats.peers.values(), totals: stats.totals, target: N, startedAt: T0, now: Date.now() });

function redraw(sort: string) {
  const rows = peerRows(snapshot, ledger);
  return renderScreen({
    snapshot, rows, title: 'bitcoin mainnet', intervalMs: 5_000, notices: rowNotices(rows), peersSeen: ledger.peersSeen,
    peakReady: ledger.readyCounts.peak, failedPeers: 0, size: { columns: 200, rows: 60 },
  }, { ...INITIAL_SCREEN, sort }).lines;
}

for (let i = 0; i < 5; i++) redraw('state'); // warm up
const runs = 40;
for (const sort of ['state', 'ping', 'agent']) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) redraw(sort);
  const wall = (performance.now() - t0) / runs;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${N} peers, 200×60, sort by ${sort}: ${wall.toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000 / runs).toFixed(1)} ms CPU per redraw`);
}
