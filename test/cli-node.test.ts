// `peerscope node start` as users run it: two built CLI processes on loopback, one dialling the other,
// talking through stdin, stopped by SIGTERM.
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@peerscope/simnet';
import { expectUsageError, startCli } from './support/cli.js';
import { until } from './support/until.js';

type Cli = ReturnType<typeof startCli>;
const HOST = '127.0.0.1';

/** The --json events printed so far (one JSON object per line). */
function events(cli: Cli): Record<string, any>[] {
  return cli.stdoutText().split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

async function waitFor(cli: Cli, what: string, match: (e: Record<string, any>) => boolean): Promise<Record<string, any>> {
  await until(() => events(cli).some(match), what);
  return events(cli).find(match)!;
}

const children: Cli[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('peerscope node start', () => {
  it('connects two nodes, carries stdin lines decoded as p2pnetwork does, and stops on SIGTERM', async () => {
    const [portA, portB] = [await freePort(HOST), await freePort(HOST)];
    const a = startCli(['node', 'start', '--host', HOST, '--port', String(portA), '--id', 'node-A', '--json']);
    children.push(a);
    await waitFor(a, 'A listening', (e) => e.event === 'started');
    const b = startCli(['node', 'start', '--host', HOST, '--port', String(portB), '--id', 'node-B', '--connect', `${HOST}:${portA}`, '--json']);
    children.push(b);

    expect(await waitFor(b, 'B connected to A', (e) => e.event === 'outbound-node-connected'))
      .toMatchObject({ node: { id: 'node-A', host: HOST, port: portA, direction: 'outbound' } });
    expect(await waitFor(a, 'A connected from B', (e) => e.event === 'inbound-node-connected'))
      .toMatchObject({ node: { id: 'node-B', host: HOST, port: portB, direction: 'inbound' } });

    b.stdin!.write('42\n{"a": 1}\nhello there\n');
    await until(() => events(a).filter((e) => e.event === 'node-message').length === 3, 'three messages at A');
    expect(events(a).filter((e) => e.event === 'node-message').map((e) => e.data)).toEqual([42, { a: 1 }, 'hello there']);
    expect(events(b).filter((e) => e.event === 'sent').map((e) => [e.nodes, e.data])).toEqual([[1, '42'], [1, '{"a": 1}'], [1, 'hello there']]);

    // And the other way: A answers on its inbound connection.
    a.stdin!.write('[1, 2]\n');
    expect(await waitFor(b, 'a message at B', (e) => e.event === 'node-message')).toMatchObject({ data: [1, 2], node: { id: 'node-A' } });

    b.kill('SIGTERM');
    a.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(await a.exited).toBe(0);
    expect(events(b).at(-1)).toMatchObject({ event: 'stopped', sent: 3, received: 1, errors: 0 });
    expect(events(a).at(-1)).toMatchObject({ event: 'stopped', sent: 1, received: 3, errors: 0 });
    expect(a.stderrText()).toBe('');
    expect(b.stderrText()).toBe('');
  });

  it('dials an IPv6 node given as [::1]:port and prints IPv6 addresses in brackets', async () => {
    const [portA, portB] = [await freePort('::1'), await freePort('::1')];
    const a = startCli(['node', 'start', '--host', '::1', '--port', String(portA), '--id', 'node-A']);
    children.push(a);
    await until(() => a.stdoutText().includes(`node node-A listening on [::1]:${portA}`), 'A listening on [::1]');
    const b = startCli(['node', 'start', '--host', '::1', '--port', String(portB), '--id', 'node-B', '--connect', `[::1]:${portA}`]);
    children.push(b);
    await until(() => b.stdoutText().includes(`connected to [::1]:${portA} (node-A)`), 'B connected to A over IPv6');
    b.kill('SIGTERM');
    a.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(await a.exited).toBe(0);
  });

  // The one host:port parser every command uses (--seed, --connect): the same mistake, the same words.
  it.each([
    [['--connect', 'nonsense'], /--connect: "nonsense" is not an address: a port is required \(host:port\)/],
    [['--connect', '127.0.0.1:99999'], /--connect: "127\.0\.0\.1:99999" is not an address: port 99999 is out of range/],
    [['--connect', '::1'], /--connect: "::1" is not an address: a port is required \(\[v6\]:port\)/],
  ])('a bad --connect %j: one clear line, exit code 2', async (args, message) => expectUsageError(['node', 'start', ...args], message));
});
