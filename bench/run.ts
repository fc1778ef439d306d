// Runs every benchmark in turn (each writes its table to bench/results/). `npm run bench [-- name…]`
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && (wanted.length === 0 || wanted.some((w) => f.includes(w))));
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', `${dir}${file}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
