// `peerscope simnet bitcoin` (issue 11 §1): the built CLI starts a realistic simulated network in the
// foreground. `npm run build` first. Hosts 127.104.0.0/16: apart from every other test's range.
import { afterEach, describe, expect, it } from 'vitest';
import { handshake, refused } from '../packages/simnet/test/support/raw-peer.js';
import { expectUsageError, startCli } from './support/cli.js';
import { expectContract, schemaOf } from './support/json-schema.js';
import { until } from './support/until.js';

const children: ReturnType<typeof startCli>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('peerscope simnet bitcoin', () => {
  it('--json: one record with the seeds; a seed answers a raw handshake; SIGTERM ends it with exit 0', async () => {
    const cli = startCli(['simnet', 'bitcoin', '--nodes', '200', '--seed', '7', '--json', '--base-host', '127.104.0.1']);
    children.push(cli);
    await until(() => cli.stdoutText().includes('\n'), 'the simnet record', 30_000);
    const record = JSON.parse(cli.stdoutText().trim()) as { seeds: string[]; nodes: number; userAgents: Record<string, number> };
    expectContract([record as unknown as Record<string, unknown>], schemaOf('simnet'));
    expect(record).toMatchObject({ type: 'simnet', nodes: 200, seed: '7', firstHost: '127.104.0.1' });
    expect(Object.values(record.userAgents).reduce((a, b) => a + b, 0)).toBe(200);
    const { peer, version } = await handshake(record.seeds[0]);
    expect(version.userAgent).toMatch(/^\/(Satoshi|btcd|bcoin|bitcoinj|libbitcoin)/);
    await peer.next('verack');
    peer.close();
    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdoutText().trim().split('\n')).toHaveLength(1);
    expect(cli.stderrText()).toBe('');
  }, 60_000);

  it('its shard processes end with it, even when it is killed', async () => {
    const cli = startCli(['simnet', 'bitcoin', '--nodes', '400', '--per-process', '200', '--seed', '3', '--json', '--base-host', '127.104.10.1']);
    children.push(cli);
    await until(() => cli.stdoutText().includes('\n'), 'the simnet record', 30_000);
    const record = JSON.parse(cli.stdoutText().trim()) as { seeds: string[]; processes: number; lastHost: string; port: number };
    expect(record.processes).toBe(2);
    const { peer } = await handshake(record.seeds[0]);
    peer.close();
    cli.kill('SIGKILL');
    await cli.exited;
    // The first shard's nodes stop listening once it sees its parent gone.
    const deadline = Date.now() + 20_000;
    while (!(await refused(record.seeds[0]))) {
      if (Date.now() > deadline) throw new Error(`${record.seeds[0]} still listens 20 s after its parent was killed`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);

  it.each([
    [['simnet', 'bitcoin', '--hostile', 'nope=0.1'], /--hostile: unknown hostile kind "nope"/],
    [['simnet', 'bitcoin', '--hostile', 'stall=1.5'], /--hostile: "1.5" is not a fraction between 0 and 1/],
    [['simnet', 'bitcoin', '--latency', 'fast'], /--latency: "fast" is not a duration/],
    [['simnet', 'bitcoin', '--base-host', '10.0.0.1'], /--base-host: not a 127\/8 address: 10\.0\.0\.1/],
  ])('%j: one line, exit code 2', async (args, message) => expectUsageError(args as string[], message));
});
