// `peerscope sum` on a terminal shows the original application's menu. Driven through a real
// pseudo-terminal (util-linux `script`), answering each prompt when it appears, next to a second node
// that serves its own numbers.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@peerscope/simnet';
import { startCli } from './support/cli.js';
import { requireScript, startOnTerminal } from './support/terminal.js';
import { until } from './support/until.js';

const DOWN = '\x1b[B';
const HOST = '127.0.0.1';

describe('peerscope sum on a terminal', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peerscope-sum-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds a number, rejects a bad entry with a clear message, shows the network sum, exits', async () => {
    requireScript();
    const serverPort = await freePort(HOST);
    const server = startCli(['sum', '--host', HOST, '--port', String(serverPort), '--data', path.join(dir, 'b.json'), '--add', '8', '--serve']);
    await until(() => server.stdoutText().includes('added 8'), 'the serving node has its number');

    const args = ['sum', '--host', HOST, '--port', String(await freePort(HOST)), '--data', path.join(dir, 'a.json'), '--connect', `${HOST}:${serverPort}`];
    // The menu comes back after every action: it is answered only after the previous action's result.
    const { child, exited, screen: text, see, answer } = startOnTerminal(args, { columns: 120, lines: 40 });
    try {
      await see(`connected outbound ${HOST}:${serverPort}`);
      await answer('Distributed sum', '\r'); // 1. Add a number
      await answer('Number to add', '42\r');
      await see('added 42');
      await answer('Distributed sum', '\r');
      await answer('Number to add', '4.2\r');
      await see('nothing was added');
      await answer('Distributed sum', `${DOWN}\r`); // 2. Show the network sum
      await see('network sum');
      await answer('Distributed sum', `${DOWN}${DOWN}\r`); // 3. Exit
      expect(await exited).toBe(0);
    } finally {
      child.kill();
      server.kill('SIGTERM');
    }
    const screen = text();
    expect(screen).toMatch(/added 42 \(this node: 1 number, subtotal 42\)/);
    expect(screen).toContain('"4.2" is not a whole number: type digits, optionally with a leading - (e.g. 42 or -7); nothing was added');
    expect(screen).toMatch(/network sum 50 from 2 nodes \(2 numbers\)/);
    expect(await server.exited).toBe(0);
  });
});
