// Our lean renderer against ink 6, same run, same data: a session of N peers, each redraw after some
// peers' pings changed. Both sides pay for the same view work (rows per address, sort, the visible rows
// formatted into the 200×60 screen's lines); then the lean side writes the frame as ScreenDriver does
// (cursor to each line, erase it, the text) and the ink side re-renders those same lines as
// <Box flexDirection="column"> of <Text> to a fake stdout (debug mode: every rerender is written at
// once, no throttle, no diff; the cheapest way ink can put them on screen). CPU per redraw
// (process.cpuUsage), median of the runs:
//   node --import tsx --conditions=source packages/cli/bench/live-view-vs-ink.ts [peers=10000] [runs=60]
import { Writable } from 'node:stream';
import { Box, Text, render } from 'ink';
import { createElement as h } from 'react';
import { buildSnapshot } from '@peerscope/engine';
import { rowNotices } from '../src/live.js';
import { peerRows } from '../src/views/rows.js';
import { INITIAL_SCREEN, renderScreen } from '../src/views/screen.js';
import { syntheticSession } from './synthetic-session.js';

const N = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 60);
const COLUMNS = 200;
const ROWS = 60;
const T0 = Date.now() - 60_000;
const { stats, ledger, feed } = syntheticSession(N, T0);

/** Between redraws: new pings from a few hundred peers, some of them on screen. */
function change(run: number) {
  for (let k = 0; k < 300; k++) {
    const i = (run * 7919 + k * 31) % N;
    if (i % 20 === 0) continue;
    feed({ type: 'rtt', ms: 20 + ((i + run * 13) % 400) }, i);
  }
  return buildSnapshot({ peers: stats.peers.values(), totals: stats.totals, target: N, startedAt: T0, now: Date.now() });
}

function lines(snapshot: ReturnType<typeof change>): string[] {
  const rows = peerRows(snapshot, ledger);
  return renderScreen({
    snapshot, rows, title: 'bitcoin mainnet', intervalMs: 5_000, notices: rowNotices(rows), peersSeen: ledger.peersSeen,
    peakReady: ledger.readyCounts.peak, failedPeers: 0, size: { columns: COLUMNS, rows: ROWS },
  }, { ...INITIAL_SCREEN, sort: 'ping' }).lines;
}

/** A terminal that takes everything and keeps the last write (to check what ink drew). */
class FakeTerminal extends Writable {
  columns = COLUMNS;
  rows = ROWS;
  isTTY = true;
  bytes = 0;
  last = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void) {
    this.bytes += chunk.length;
    this.last = String(chunk);
    done();
  }
}
const leanOut = new FakeTerminal();
const inkOut = new FakeTerminal();

function leanWrite(ls: string[]) {
  let frame = '';
  for (let i = 0; i < ls.length; i++) frame += `\x1b[${i + 1};1H\x1b[2K${ls[i]}`;
  leanOut.write(frame);
}
const inkTree = (ls: string[]) => h(Box, { flexDirection: 'column', width: COLUMNS }, ...ls.map((l, i) => h(Text, { key: i }, l)));

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let snapshot = change(0);
let first = lines(snapshot);
const ink = render(inkTree(first), { stdout: inkOut as unknown as NodeJS.WriteStream, debug: true, patchConsole: false, exitOnCtrlC: false });
for (let w = 1; w <= 5; w++) { // warm up both
  first = lines((snapshot = change(w)));
  leanWrite(first);
  ink.rerender(inkTree(first));
}
// Same screen text on both sides (ink pads lines to the box's width).
const drawn = inkOut.last.split('\n').map((l) => l.trimEnd());
const mismatch = first.findIndex((l, i) => l.trimEnd() !== drawn[i]);
if (mismatch >= 0) throw new Error(`ink drew line ${mismatch} differently:\n${JSON.stringify(first[mismatch])}\n${JSON.stringify(drawn[mismatch])}`);

const view: number[] = [];
const leanOnly: number[] = [];
const inkOnly: number[] = [];
const lean: number[] = [];
const withInk: number[] = [];
for (let run = 0; run < RUNS; run++) {
  snapshot = change(100 + run);
  const c0 = cpu();
  const ls = lines(snapshot);
  const c1 = cpu();
  leanWrite(ls);
  const c2 = cpu();
  ink.rerender(inkTree(ls));
  const c3 = cpu();
  view.push(c1 - c0);
  leanOnly.push(c2 - c1);
  inkOnly.push(c3 - c2);
  lean.push(c2 - c0);
  withInk.push(c1 - c0 + (c3 - c2));
}
ink.unmount();

const us = (x: number) => `${Math.round(x).toLocaleString('en-US')} µs`;
const l = median(lean), k = median(withInk);
console.log(`${N} peers, ${COLUMNS}×${ROWS}, ${RUNS} redraws with changed pings, median CPU per redraw:`);
console.log(`  view (rows, sort, visible rows formatted): ${us(median(view))}`);
console.log(`  lean renderer: ${us(l)} (writing the frame: ${us(median(leanOnly))})`);
console.log(`  ink 6:         ${us(k)} (rendering the same lines: ${us(median(inkOnly))})`);
console.log(`  ink / lean: ${(k / l).toFixed(2)}× per redraw, ${(median(inkOnly) / median(leanOnly)).toFixed(0)}× for putting the lines on screen`);
