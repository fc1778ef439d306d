// History, metrics and the web page through the built CLI, as users run them: a demo records by
// default, `peerscope history` reads it (also while a monitor writes), kill -9 leaves a sound file,
// a database or port that cannot be opened is exit 2 before any peer is dialled.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './support/cli.js';
import { until } from './support/until.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-history-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** runCli with a different XDG_DATA_HOME (the child inherits this process's environment). */
async function runWithData(args: string[], data?: string) {
  const saved = process.env.XDG_DATA_HOME;
  if (data) process.env.XDG_DATA_HOME = data;
  try {
    return await runCli(args);
  } finally {
    process.env.XDG_DATA_HOME = saved;
  }
}

async function untilAsync(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const json = async (args: string[], data?: string) => {
  const r = await runWithData(args, data);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

describe('peerscope demo records; peerscope history reads', () => {
  it('records into $XDG_DATA_HOME/peerscope/history.db by default and says so; --no-db records nothing', async () => {
    const data = path.join(dir, 'xdg');
    fs.mkdirSync(data);
    const off = await runWithData(['demo', '--sim', '6', '--peers', '2', '--interval', '300ms', '--duration', '3s', '--no-db'], data);
    expect(off.code).toBe(0);
    expect(fs.existsSync(path.join(data, 'peerscope'))).toBe(false);
    const on = await runWithData(['demo', '--sim', '6', '--peers', '2', '--interval', '300ms', '--duration', '3s'], data);
    expect(on.code).toBe(0);
    expect(on.stderr).toContain(`peerscope: recording run 1 into ${path.join(data, 'peerscope', 'history.db')}`);
    const runs = await json(['history', '--json'], data);
    expect(runs).toMatchObject([{ id: 1, command: 'demo', protocol: 'bitcoin', network: 'regtest', peakReady: 2, target: 2 }]);
  });

  it('runs, peers at an instant, heights, failures, blocks and exports of a demo with hostile peers', async () => {
    const db = path.join(dir, 'demo.db');
    const demo = await runCli(['demo', '--sim', '40', '--peers', '12', '--hostile', '0.2', '--interval', '300ms', '--duration', '3s', '--block-interval', '700ms', '--db', db, '--json']);
    expect(demo.code).toBe(0);
    expect(demo.stderr).toBe(''); // --json: stderr stays quiet
    const [run] = await json(['history', '--db', db, '--json']);
    expect(run).toMatchObject({ id: 1, command: 'demo', peakReady: 12 });
    expect(run.endedAt).toBeGreaterThan(run.startedAt);

    const at = await json(['history', 'peers', '--db', db, '--at', '+2s', '--json']);
    expect(at.at).toBe(run.startedAt + 2_000);
    expect(at.peers.filter((p: { state: string }) => p.state === 'ready').length).toBeGreaterThanOrEqual(10);
    const text = await runCli(['history', 'peers', '--db', db, '--at', '+2s']);
    expect(text.stdout).toMatch(/ADDRESS\s+STATE\s+AGENT\s+HEIGHT/);
    expect(text.stdout).toMatch(/127\.1\.\d+\.\d+:\d+\s+ready\s+\/simnet/);

    const { points } = await json(['history', 'heights', '--db', db, '--json']);
    const heights = points.map((p: { consensusHeight: number }) => p.consensusHeight);
    expect(Math.max(...heights)).toBeGreaterThan(Math.min(...heights)); // blocks were mined during the run

    const { failures } = await json(['history', 'failures', '--db', db, '--json']);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(['bad-magic', 'bad-checksum', 'malformed', 'timeout-stall']).toContain(f.reason);

    const { blocks } = await json(['history', 'blocks', '--db', db, '--json']);
    const last = blocks.at(-1);
    expect(last.peers).toBeGreaterThan(5);
    expect(last.firstAddress).toMatch(/^127\.1\./);

    const out = path.join(dir, 'peers.csv');
    const exported = await runCli(['history', 'export', 'peers', '--db', db, '--format', 'csv', '--out', out]);
    expect(exported.code).toBe(0);
    const csv = fs.readFileSync(out, 'utf8').trim().split('\r\n');
    expect(csv[0]).toMatch(/^run,peer,address,key,state,reason,detail,dialedAt,readyAt/);
    expect(csv.length - 1).toBe(run.peers);
    const nd = await runCli(['history', 'export', 'snapshots', '--db', db, '--run', '1', '--format', 'ndjson']);
    expect(nd.stdout.trim().split('\n').length).toBe(run.snapshots);
    expect(JSON.parse(nd.stdout.split('\n')[0])).toMatchObject({ run: 1, target: 12 });
  });

  it('a second process reads while a monitor writes; kill -9 loses at most the interval in flight and never corrupts', async () => {
    const db = path.join(dir, 'killed.db');
    const cli = startCli(['demo', '--sim', '20', '--peers', '8', '--interval', '200ms', '--db', db, '--json']);
    await until(() => cli.stdoutText().split('\n').filter((l) => l.includes('"type":"snapshot"')).length >= 8, '8 snapshots');
    const reading = await json(['history', 'peers', '--db', db, '--json']);
    expect(reading.peers.length).toBeGreaterThan(0);
    const snapshotsShown = cli.stdoutText().split('\n').filter((l) => l.includes('"type":"snapshot"')).length;
    cli.kill('SIGKILL');
    await cli.exited;
    const check = new Database(db);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    const row = check.prepare('SELECT ended_at, last_at, (SELECT COUNT(*) FROM snapshots) AS n FROM runs').get() as { ended_at: number | null; last_at: number; n: number };
    check.close();
    expect(row.ended_at).toBeNull();
    expect(row.last_at).toBeGreaterThan(0);
    // At most the interval in flight is lost (the view may have drawn it before the write landed).
    expect(row.n).toBeGreaterThanOrEqual(snapshotsShown - 2);
    const listed = await runCli(['history', '--db', db]);
    expect(listed.stdout).toMatch(/\(killed\)/);
  });
});

describe('outputs that cannot be opened: one line, exit 2, nothing dialled', () => {
  it('a database in a folder that cannot be created, and a file that is not a database', async () => {
    const bad = await runCli(['demo', '--sim', '4', '--peers', '1', '--duration', '1s', '--db', '/proc/peerscope/history.db']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n').filter((l) => l.startsWith('peerscope:'))).toEqual([expect.stringMatching(/^peerscope: cannot .*\/proc\/peerscope\/history\.db/)]);
    expect(bad.stdout).toBe('');
    const notDb = path.join(dir, 'not-a-db');
    fs.writeFileSync(notDb, 'x'.repeat(4096));
    const wrong = await runCli(['monitor', 'bitcoin', '--seed', '127.0.0.1:1', '--network', 'regtest', '--duration', '1s', '--db', notDb]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^peerscope: .*not-a-db is not a peerscope history database\n$/);
  });

  it('a metrics or web port already in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      for (const flag of ['--metrics', '--web']) {
        const r = await runCli(['demo', '--sim', '4', '--peers', '1', '--duration', '1s', '--no-db', flag, String(port)]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`peerscope: ${flag}: 127\\.0\\.0\\.1:${port} is already in use`));
      }
    } finally {
      blocker.close();
    }
  });
});

describe('--metrics and --web on a monitor, and the dashboard', () => {
  it('serves /metrics and the page while the demo runs; the dashboard serves the recorded run', async () => {
    const db = path.join(dir, 'served.db');
    const cli = startCli(['demo', '--sim', '10', '--peers', '4', '--interval', '300ms', '--db', db, '--metrics', '0', '--web', '127.0.0.1:0', '--json']);
    await until(() => /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/.test(cli.stderrText()) && /web page on/.test(cli.stderrText()), 'the URLs');
    const metricsUrl = /metrics on (\S+)/.exec(cli.stderrText())![1];
    const webUrl = /web page on (\S+)/.exec(cli.stderrText())![1];
    await untilAsync(async () => /peerscope_peers\{state="ready",protocol="bitcoin",network="regtest"\} 4/.test(await (await fetch(metricsUrl)).text()), '4 ready in /metrics');
    const view = await (await fetch(`${webUrl}api/view`)).json();
    expect(view.summary.target).toBe(4);
    expect(await (await fetch(webUrl)).text()).toContain('<script src="/vendor/uPlot.iife.min.js">');
    await new Promise((r) => setTimeout(r, 1_500)); // a few more intervals recorded for the dashboard's charts
    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);

    const dash = startCli(['dashboard', '--db', db, '--web', '0']);
    await until(() => /dashboard of run 1 on (\S+)/.test(dash.stderrText()), 'the dashboard URL');
    const url = /dashboard of run 1 on (\S+)/.exec(dash.stderrText())![1];
    const recorded = await (await fetch(`${url}api/view`)).json();
    expect(recorded.summary.target).toBe(4);
    expect((await (await fetch(`${url}api/series`)).json()).length).toBeGreaterThan(2);
    dash.kill('SIGTERM');
    expect(await dash.exited).toBe(0);
  });
});
