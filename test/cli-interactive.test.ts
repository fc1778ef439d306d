// `peerscope monitor` with no arguments on a terminal asks what to watch, then runs it. Driven through
// a real pseudo-terminal (util-linux `script`), answering each prompt when it appears.
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBcoinNode, type BcoinNode } from '@peerscope/simnet';
import { BIN } from './support/cli.js';
import { until } from './support/until.js';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasScript)('peerscope monitor on a terminal', () => {
  let node: BcoinNode;
  beforeAll(async () => {
    node = await startBcoinNode({ host: '127.0.0.51', port: await freePort('127.0.0.51', true) });
    await node.mine();
  });
  afterAll(async () => node?.close());

  it('asks network, chain, address, port and peers, then monitors until Ctrl-C and prints the summary', async () => {
    const guard = process.env.PEERSCOPE_LOOPBACK_GUARD!;
    const child = spawn('script', ['-qec', `${process.execPath} ${BIN} monitor`, '/dev/null'], {
      env: { ...process.env, NODE_OPTIONS: `--import ${guard}`, COLUMNS: '200', LINES: '40' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (d) => (screen += d.toString()));
    const exited = new Promise((r) => child.on('close', r));
    const answer = async (prompt: string, keys: string) => {
      await until(() => screen.includes(prompt), `prompt "${prompt}"`);
      child.stdin.write(keys);
    };
    await answer('Which network?', '\r');
    await answer('Which chain?', '\x1b[B\x1b[B\x1b[B\x1b[B\r'); // mainnet, testnet3, testnet4, signet, regtest
    await answer('Node address (host)', '127.0.0.51\r');
    await answer('Port', `\x15${node.port}\r`);
    await answer('How many peers to keep', '\x151\r');
    await until(() => /peers 1\/1 ready/.test(screen), 'a ready peer on the live view');
    child.stdin.write('\x03');
    await exited;
    expect(screen).toMatch(/peerscope · bitcoin regtest/);
    expect(screen).toMatch(/final summary/);
    expect(screen).toMatch(new RegExp(`127\\.0\\.0\\.51:${node.port}\\s+closed\\s+/bcoin:v1\\.0\\.2/`));
  });
});
