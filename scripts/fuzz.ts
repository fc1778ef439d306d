// The full fuzz run: N mutated inputs per target (default 1,000,000), seeded, with a report per target.
//   node --import tsx --conditions=source scripts/fuzz.ts [--inputs N] [--seed S] [--only name,name] [--json file]
// Exits 1 if any target produced an untyped error, a hang or a broken limit (the inputs are printed as hex:
// add each as a regression test and to fuzz/corpus/<target>/).
import { writeFileSync } from 'node:fs';
import { fuzz, type FuzzReport } from '../fuzz/harness.js';
import { TARGETS } from '../fuzz/targets.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const inputs = Number(arg('inputs') ?? 1_000_000);
const seed = Number(arg('seed') ?? 1);
const only = arg('only')?.split(',');
const reports: FuzzReport[] = [];
let failed = false;
for (const target of TARGETS.filter((t) => !only || only.includes(t.name))) {
  const report = await fuzz(target, inputs, seed, (done) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${target.name}: ${done}/${inputs}`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  reports.push(report);
  const rate = Math.round(report.inputs / (report.ms / 1000));
  console.log(`${report.target}: ${report.inputs} inputs in ${(report.ms / 1000).toFixed(1)} s (${rate}/s), corpus ${report.corpus}, slowest ${report.slowestMs} ms, heap high ${report.heapHighMB} MB, RSS high ${report.rssHighMB} MB`);
  console.log(`  outcomes: ${Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const p of report.problems) {
    failed = true;
    console.log(`  PROBLEM ${p.problem}\n    input ${p.input.slice(0, 400)}${p.input.length > 400 ? '…' : ''}`);
  }
}
const json = arg('json');
if (json) writeFileSync(json, `${JSON.stringify({ inputs, seed, node: process.version, reports }, null, 2)}\n`);
process.exit(failed ? 1 : 0);
