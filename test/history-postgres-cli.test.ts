// --db postgres://… through the CLI: two vantages record into one server, `history` lists both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../packages/history/test/support/postgres.js';
import { runCli } from './support/cli.js';

describe('peerscope with a PostgreSQL history', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());

  it('demo runs from two vantages at once, then history across them', async () => {
    const demo = (vantage: string) => runCli(['demo', '--sim', '8', '--peers', '3', '--interval', '300ms', '--duration', '2s', '--db', server.url, '--vantage', vantage]);
    const [a, b] = await Promise.all([demo('lab-a'), demo('lab-b')]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stderr).toMatch(/recording run \d+ into postgres:\/\/peerscope@127\.0\.0\.1:\d+\/peerscope/);
    const listed = await runCli(['history', '--db', server.url, '--json']);
    expect(listed.code).toBe(0);
    const runs = JSON.parse(listed.stdout) as { vantage: string; peakReady: number; command: string }[];
    expect(runs.map((r) => r.vantage).sort()).toEqual(['lab-a', 'lab-b']);
    expect(runs.every((r) => r.peakReady === 3 && r.command === 'demo')).toBe(true);
    const peers = await runCli(['history', 'peers', '--db', server.url, '--vantage', 'lab-b', '--json']);
    expect(JSON.parse(peers.stdout).peers.length).toBe(3);
  }, 60_000);
});
