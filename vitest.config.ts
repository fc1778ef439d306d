import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const guard = fileURLToPath(new URL('./test/support/loopback-guard.mjs', import.meta.url));

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // The guard is preloaded into every test process and, through execArgv, into its worker threads.
    execArgv: ['--import', guard, '--conditions=source'],
    env: { PEERSCOPE_LOOPBACK_GUARD: guard },
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    // CI asks for a JSON report to print its closing "N passed, N failed" line.
    reporters: process.env.PEERSCOPE_TEST_REPORT ? ['default', 'json'] : ['default'],
    outputFile: process.env.PEERSCOPE_TEST_REPORT ? { json: process.env.PEERSCOPE_TEST_REPORT } : undefined,
  },
});
