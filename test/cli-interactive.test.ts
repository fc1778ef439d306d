// `peerscope monitor` with no arguments on a terminal asks what to watch, then runs it. Driven through
// a real pseudo-terminal (util-linux `script`), answering each prompt when it appears.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBcoinNode, type BcoinNode } from '@peerscope/simnet';
import { requireScript, startOnTerminal } from './support/terminal.js';
import { until } from './support/until.js';

describe('peerscope monitor on a terminal', () => {
  let node: BcoinNode;
  beforeAll(async () => {
    node = await startBcoinNode({ host: '127.0.0.51', port: await freePort('127.0.0.51', true) });
    await node.mine();
  });
  afterAll(async () => node?.close());

  it('asks network, chain, address, port and peers, then monitors until Ctrl-C and prints the summary', async () => {
    requireScript();
    const { child, exited, screen: text, answer } = startOnTerminal(['monitor']);
    await answer('Which network?', '\r');
    await answer('Which chain?', '\x1b[B\x1b[B\x1b[B\x1b[B\r'); // mainnet, testnet3, testnet4, signet, regtest
    // A host that is no address is refused at the prompt, which asks again.
    await answer('Node address (host)', '999.1.1.1\r');
    await answer('"999.1.1.1" is not an IP address', '\x15127.0.0.51\r');
    await answer('Port', `\x15${node.port}\r`);
    await answer('How many peers to keep', '\x151\r');
    await until(() => /peers 1\/1 ready/.test(text()), 'a ready peer on the live view');
    // The equivalent command line, printed before the monitor starts.
    expect(text()).toContain(`running: peerscope monitor bitcoin --network regtest --seed 127.0.0.51:${node.port} --peers 1`);
    child.stdin.write('\x03');
    await exited;
    const screen = text();
    expect(screen).toMatch(/peerscope · bitcoin regtest/);
    expect(screen).toMatch(/final summary/);
    expect(screen).toMatch(new RegExp(`127\\.0\\.0\\.51:${node.port}\\s+1\\s+yes\\s+/bcoin:v1\\.0\\.2/.*closed\\s*$`, 'm'));
  });
});
