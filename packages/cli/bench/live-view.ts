// The live view's cost at scale: one redraw (rows per address + sort + the visible rows formatted) of a
// session of N peers, as the terminal view does it each interval. Pure views, no sockets:
//   node --import tsx --conditions=source packages/cli/bench/live-view.ts [peers=10000]
import { buildSnapshot } from '@peerscope/engine';
import { rowNotices } from '../src/live.js';
import { peerRows } from '../src/views/rows.js';
import { INITIAL_SCREEN, renderScreen } from '../src/views/screen.js';
import { syntheticSession } from './synthetic-session.js';

const N = Number(process.argv[2] ?? 10_000);
const T0 = Date.now() - 60_000;
const { stats, ledger } = syntheticSession(N, T0);
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
