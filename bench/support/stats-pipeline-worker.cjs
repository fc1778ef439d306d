// Worker entry for bench/stats-pipeline.ts. tsx's hooks (execArgv `--import tsx`) reach a worker's
// require, not its ESM imports or an eval'd entry: a real script that requires the TypeScript source.
require('./stats-pipeline-worker.ts');
