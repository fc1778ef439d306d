// monitor ethereum-rpc records too: each endpoint a peer of the history, its block numbers heights
// with their hashes, a dead endpoint a failure; /metrics follows it as it follows a peer monitor.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ganache from 'ganache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../packages/ethereum/test/support.js';
import { runCli, startCli } from './support/cli.js';
import { until } from './support/until.js';

describe('peerscope monitor ethereum-rpc --db', () => {
  let node: ReturnType<typeof ganache.server>;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peerscope-rpc-history-'));
    node = ganache.server({ logging: { quiet: true }, chain: { chainId: 1337, networkId: 5777 }, wallet: { totalAccounts: 2 } });
    const port = await freePort();
    await node.listen(port, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await node?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records the endpoints, the heights with hashes and the dead one; serves /metrics', async () => {
    const db = path.join(dir, 'rpc.db');
    const closed = `http://127.0.0.1:${await freePort()}`;
    const cli = startCli(['monitor', 'ethereum-rpc', '--url', url, '--url', closed, '--json', '--interval', '300ms', '--db', db, '--metrics', '0']);
    await until(() => /metrics on (\S+)/.test(cli.stderrText()), 'the metrics URL');
    await until(() => cli.stdoutText().split('\n').filter((l) => l.includes('"blockNumber":0')).length >= 2, 'two polls');
    await node.provider.request({ method: 'evm_mine', params: [] } as never);
    await until(() => cli.stdoutText().includes('"blockNumber":1'), 'the mined block polled');
    await new Promise((r) => setTimeout(r, 700));
    const metrics = await (await fetch(/metrics on (\S+)/.exec(cli.stderrText())![1])).text();
    expect(metrics).toMatch(/^peerscope_peers\{state="ready",protocol="ethereum-rpc",network=""\} 1$/m);
    expect(metrics).toMatch(/^peerscope_consensus_height\{protocol="ethereum-rpc",network=""\} 1$/m);
    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);

    const runs = JSON.parse((await runCli(['history', '--db', db, '--json'])).stdout);
    expect(runs[0]).toMatchObject({ command: 'monitor ethereum-rpc', protocol: 'ethereum-rpc', peakReady: 1, target: 2 });
    const peers = JSON.parse((await runCli(['history', 'export', 'peers', '--db', db, '--format', 'json'])).stdout);
    expect(peers.find((p: { address: string }) => p.address === url)).toMatchObject({ userAgent: expect.stringMatching(/ganache/i), version: 1337, bestHeight: 1 });
    expect(peers.find((p: { address: string }) => p.address === closed)).toMatchObject({ state: 'failed', reason: 'unreachable' });
    const { blocks } = JSON.parse((await runCli(['history', 'blocks', '--db', db, '--json'])).stdout);
    expect(blocks.map((b: { height: number }) => b.height)).toEqual([0, 1]);
    for (const b of blocks) expect(b.hash).toMatch(/^0x[0-9a-f]{64}$/);
    const { failures } = JSON.parse((await runCli(['history', 'failures', '--db', db, '--json'])).stdout);
    expect(failures).toMatchObject([{ reason: 'unreachable', sessions: 1 }]);
  });
});
