import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerEvent } from '../src/index.js';
import { erase, runPeer } from '../src/protocol-api.js';
import lineProtocol from './fixtures/line-protocol.js';
import { startLineServer, type LineServerBehaviour } from './fixtures/line-server.js';
import { acknowledgeLoopbackRefusals } from '../../../test/support/loopback.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function serve(behaviour: LineServerBehaviour) {
  const server = await startLineServer(behaviour);
  cleanups.push(() => server.close());
  return server;
}

function run(port: number, timeouts = {}) {
  const events: PeerEvent[] = [];
  const peer = runPeer({ id: 'p1', host: '127.0.0.1', port, protocol: erase(lineProtocol), config: { name: 'us' }, timeouts, onEvent: (e) => events.push(e) });
  return { peer, events, states: () => events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.state : '')) };
}

describe('runPeer: the generic peer machine', () => {
  it('goes connecting → handshaking → ready, reports the handshake and traffic, and closes on stop', async () => {
    const server = await serve('normal');
    const { peer, events, states } = run(server.port);
    await until(() => states().includes('ready'));
    peer.command(1);
    await until(() => events.some((e) => e.type === 'rtt'));
    peer.stop();
    const end = await peer.done;
    expect(end).toEqual({ state: 'closed', reason: 'stopped', detail: undefined });
    expect(states()).toEqual(['connecting', 'handshaking', 'ready', 'closed']);
    const handshake = events.find((e) => e.type === 'handshake');
    expect(handshake).toMatchObject({ peer: 'p1', address: `127.0.0.1:${server.port}`, info: { userAgent: 'line-server' } });
    expect(events.find((e) => e.type === 'height')).toMatchObject({ height: 7 });
    const out = events.filter((e) => e.type === 'message' && e.dir === 'out').map((e) => (e.type === 'message' ? [e.command, e.bytes] : []));
    expect(out).toEqual([['hello', 9], ['ping', 7]]);
  });

  it('fails with refused when nothing listens', async () => {
    const server = await serve('normal');
    await server.close();
    const { peer, states } = run(server.port);
    expect(await peer.done).toMatchObject({ state: 'failed', reason: 'refused' });
    expect(states()).toEqual(['connecting', 'failed']);
  });

  it('fails with timeout-handshake when the peer never answers', async () => {
    const server = await serve('silent');
    const { peer } = run(server.port, { handshakeMs: 150 });
    expect(await peer.done).toMatchObject({ state: 'failed', reason: 'timeout-handshake' });
  });

  it('types protocol failures: malformed, oversize, stall, hang-up', async () => {
    const cases: Array<[LineServerBehaviour, string]> = [['garbage', 'malformed'], ['oversize', 'oversize'], ['stall', 'timeout-stall'], ['hangup', 'closed-by-peer']];
    for (const [behaviour, reason] of cases) {
      const server = await serve(behaviour);
      const { peer } = run(server.port, { stallMs: 150 });
      expect(await peer.done, behaviour).toMatchObject({ state: 'failed', reason });
    }
  });

  it('turns a connect that cannot even start into a typed failure, not a crash', async () => {
    // The loopback guard refuses a non-loopback address synchronously inside net.connect.
    const events: PeerEvent[] = [];
    const peer = runPeer({ id: 'x', host: '192.0.2.1', port: 1, protocol: erase(lineProtocol), config: { name: 'us' }, onEvent: (e) => events.push(e) });
    expect(await peer.done).toMatchObject({ state: 'failed', reason: 'unreachable' });
    acknowledgeLoopbackRefusals(); // meant: the test is about that refusal
  });

  it.each([
    ['a message handler', 'bug-in-handler', /RangeError: bug in a message handler/],
    ['a command handler', 'bug-in-receive', /bug in a command handler/],
  ])('an exception in %s is our bug: internal, with the error, never the peer blamed', async (_where, command, detail) => {
    const server = await serve('normal');
    const { peer, states } = run(server.port);
    await until(() => states().includes('ready'));
    peer.command(command);
    // The handler runs on the next message: the server answers our PING.
    if (command === 'bug-in-handler') peer.command(1);
    const end = await peer.done;
    expect(end.state).toBe('failed');
    expect(end.reason).toBe('internal');
    expect(end.detail).toMatch(detail);
  });

  it('runs an inbound connection from an accepted socket', async () => {
    const accepted = new Promise<net.Socket>((resolve) => {
      const server = net.createServer(resolve);
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as net.AddressInfo).port;
        const client = net.connect(port, '127.0.0.1');
        client.on('data', (d) => {
          if (d.toString().startsWith('HELLO')) client.write('HELLO dialer\n');
        });
        cleanups.push(async () => { client.destroy(); server.close(); });
      });
    });
    const socket = await accepted;
    const events: PeerEvent[] = [];
    const peer = runPeer({ id: 'in', host: socket.remoteAddress!, port: socket.remotePort!, socket, protocol: erase(lineProtocol), config: { name: 'us' }, onEvent: (e) => events.push(e) });
    await until(() => events.some((e) => e.type === 'handshake'));
    peer.stop();
    await peer.done;
    expect(events.find((e) => e.type === 'handshake')).toMatchObject({ info: { userAgent: 'dialer' } });
  });
});

export async function until(check: () => boolean, timeoutMs = 10_000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
