// The soak's plot: RSS and heap, event-loop delay, Bitcoin peers ready, p2pnet mesh links and
// connections, over time. Used by scripts/soak.ts; run alone to redraw a PNG from a soak's JSON:
//   node --import tsx scripts/soak-plot.ts bench/results/soak-full.json
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { plotPng } from './png-plot.js';

export interface SoakSample {
  t: number;
  rssMB: number;
  heapMB: number;
  delayP99Ms: number;
  delayMaxMs: number;
  ready: number;
  meshLinks: number;
  meshConns: number;
}

export function soakPng(summary: { peers: number; hostilePeers: number; meshSize: number; minutes: number }, samples: SoakSample[]): Buffer {
  const at = (s: SoakSample) => s.t / 60;
  return plotPng(`soak: ${summary.peers} bitcoin peers (${summary.hostilePeers} hostile), p2pnet mesh of ${summary.meshSize} (2 hostile), ${summary.minutes} min`, [
    { title: 'resident memory and js heap', unit: 'MB', series: [
      { label: 'RSS', color: [200, 40, 40], points: samples.map((s) => [at(s), s.rssMB]) },
      { label: 'heap used', color: [40, 90, 200], points: samples.map((s) => [at(s), s.heapMB]) },
    ] },
    { title: 'event loop delay of the main thread, per sample window', unit: 'ms', series: [
      { label: 'p99', color: [30, 140, 60], points: samples.map((s) => [at(s), s.delayP99Ms]) },
      { label: 'max', color: [230, 140, 20], points: samples.map((s) => [at(s), s.delayMaxMs]) },
    ] },
    { title: 'bitcoin peers ready', unit: 'peers', series: [
      { label: 'ready', color: [120, 60, 170], points: samples.map((s) => [at(s), s.ready]) },
    ] },
    { title: 'p2pnet mesh', unit: 'count', series: [
      { label: 'links', color: [20, 150, 160], points: samples.map((s) => [at(s), s.meshLinks]) },
      { label: 'connections held', color: [120, 120, 120], points: samples.map((s) => [at(s), s.meshConns]) },
    ] },
  ], 1000, 220);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  const { summary, samples } = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file.replace(/\.json$/, '.png'), soakPng(summary, samples));
}
