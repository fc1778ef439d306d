// Listeners: a server on the executor's thread (a pool worker, or this thread) whose accepted
// connections are peers like dialled ones: same machine, same events, reachable by id.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessExecutor, PoolExecutor, type Executor, type PeerEvent } from '../src/index.js';
import { lineProtocolModule } from './fixtures/line-protocol.js';
import { until } from './fixtures/until.js';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A line-protocol client of our listener: answers HELLO, PINGs when asked, records what it got. */
function dialLineClient(port: number, name: string) {
  const socket = net.connect(port, '127.0.0.1');
  const lines: string[] = [];
  let buffer = '';
  socket.on('data', (d) => {
    buffer += d.toString('latin1');
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      lines.push(line);
      if (line.startsWith('HELLO')) socket.write(`HELLO ${name}\n`);
      if (line.startsWith('PING')) socket.write(`PONG ${line.slice(5)}\n`);
    }
  });
  socket.on('error', () => {});
  cleanups.push(() => void socket.destroy());
  return { socket, lines, closed: new Promise<void>((r) => socket.once('close', () => r())) };
}

describe.each([
  ['in-process', () => new InProcessExecutor()],
  ['piscina pool, 2 threads', () => new PoolExecutor({ threads: 2 })],
])('%s executor listening', (_name, make: () => Executor) => {
  it('runs every accepted connection as an inbound peer, reachable by id for commands and stop', async () => {
    const executor = make();
    cleanups.push(() => executor.close());
    const events: PeerEvent[] = [];
    executor.events$.subscribe((e) => events.push(e));
    const listener = await executor.listen({ id: 'L', host: '127.0.0.1', port: 0, protocol: lineProtocolModule, config: { name: 'server' } });
    expect(listener.port).toBeGreaterThan(0);
    const clients = [dialLineClient(listener.port, 'c1'), dialLineClient(listener.port, 'c2')];
    await until(() => events.filter((e) => e.type === 'state' && e.state === 'ready').length === 2);

    const connecting = events.filter((e) => e.type === 'state' && e.state === 'connecting');
    expect(connecting.map((e) => e.peer).sort()).toEqual(['L/1', 'L/2']);
    expect(connecting.every((e) => e.type === 'state' && e.direction === 'inbound')).toBe(true);
    expect(events.filter((e) => e.type === 'handshake').map((e) => e.type === 'handshake' && e.info.userAgent).sort()).toEqual(['c1', 'c2']);

    // The handle of an accepted peer: commands reach its protocol, stop closes it.
    const first = executor.peer('L/1')!;
    first.command(7);
    await until(() => events.some((e) => e.peer === 'L/1' && e.type === 'rtt'));
    first.stop();
    expect(await first.done).toEqual({ state: 'closed', reason: 'stopped' });
    expect(executor.peer('L/1')).toBeUndefined();
    await Promise.race(clients.map((c) => c.closed));

    await listener.close();
    await expect(new Promise((resolve, reject) => net.connect(listener.port, '127.0.0.1').once('connect', resolve).once('error', reject))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // The connection accepted before close goes on until stopped.
    expect(executor.peer('L/2')).toBeDefined();
  });

  it('past maxConnections, closes the socket at once and reports it as a peer failed with flood', async () => {
    const executor = make();
    cleanups.push(() => executor.close());
    const events: PeerEvent[] = [];
    executor.events$.subscribe((e) => events.push(e));
    const listener = await executor.listen({ id: 'M', host: '127.0.0.1', port: 0, protocol: lineProtocolModule, config: { name: 'server' }, maxConnections: 1 });
    dialLineClient(listener.port, 'kept');
    await until(() => events.some((e) => e.type === 'state' && e.state === 'ready'));
    const refused = dialLineClient(listener.port, 'extra');
    await refused.closed;
    await until(() => events.some((e) => e.type === 'state' && e.state === 'failed'));
    expect(events.find((e) => e.type === 'state' && e.state === 'failed')).toMatchObject({ peer: 'M/2', reason: 'flood', detail: 'maxConnections (1) reached' });
    expect(refused.lines).toEqual([]);
    // A slot frees when a connection ends.
    executor.peer('M/1')!.stop();
    await executor.peer('M/1')?.done;
    dialLineClient(listener.port, 'later');
    await until(() => events.some((e) => e.peer === 'M/3' && e.type === 'state' && e.state === 'ready'));
  });

  it('rejects a listen on a port in use with the system error code', async () => {
    const executor = make();
    cleanups.push(() => executor.close());
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    cleanups.push(() => void taken.close());
    const port = (taken.address() as net.AddressInfo).port;
    await expect(executor.listen({ id: 'X', host: '127.0.0.1', port, protocol: lineProtocolModule, config: { name: 's' } })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('piscina pool with 2 threads', () => {
  it('spreads peers over both workers and sends a shared config once per worker', async () => {
    const executor = new PoolExecutor({ threads: 2 });
    cleanups.push(() => executor.close());
    const server = new InProcessExecutor();
    cleanups.push(() => server.close());
    const listener = await server.listen({ id: 'S', host: '127.0.0.1', port: 0, protocol: lineProtocolModule, config: { name: 'server' } });
    const events: PeerEvent[] = [];
    executor.events$.subscribe((e) => events.push(e));
    const config = { name: 'client' };
    const handles = Array.from({ length: 6 }, (_, i) => executor.spawn({ id: `p${i}`, host: '127.0.0.1', port: listener.port, protocol: lineProtocolModule, config }));
    await until(() => events.filter((e) => e.type === 'state' && e.state === 'ready').length === 6);
    expect(executor.workerLoad).toEqual([3, 3]);
    for (const h of handles) h.stop();
    await Promise.all(handles.map((h) => h.done));
  });
});
