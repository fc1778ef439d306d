import net from 'node:net';
import { BitcoinCodec, REGTEST, type BitcoinMessage } from '@peerscope/bitcoin';
import { misbehave, type HostileBehaviour } from './hostile-behaviour.js';
import { simVersion } from './sim-version.js';

export type { HostileBehaviour } from './hostile-behaviour.js';

export interface HostilePeer {
  port: number;
  /** Bytes written by the hostile side after its handshake, per connection. */
  readonly sentAfterHandshake: number[];
  /** Resolves when the peer under test closed the connection. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** A regtest peer that completes the handshake honestly, then does one hostile thing. */
export async function startHostilePeer(behaviour: HostileBehaviour, host = '127.0.0.1'): Promise<HostilePeer> {
  const sentAfterHandshake: number[] = [];
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const index = sentAfterHandshake.push(0) - 1;
    const codec = new BitcoinCodec({ magic: REGTEST.magic });
    const send = (m: BitcoinMessage) => socket.write(codec.encode(m).bytes);
    let misbehaving = false;
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      resolveClosed();
    });
    const start = () => {
      misbehaving = true;
      misbehave(behaviour, socket, REGTEST.magicBytes, (n) => (sentAfterHandshake[index] += n));
    };
    socket.on('data', (chunk) => {
      if (misbehaving) return;
      for (const { message } of codec.decode(chunk)) {
        if (message.command === 'version') {
          send(simVersion({ userAgent: `/hostile:${behaviour}/`, startHeight: 5 }));
          send({ command: 'verack' });
        }
        if (message.command === 'verack') setTimeout(start, 20);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    port: (server.address() as net.AddressInfo).port,
    sentAfterHandshake,
    closed,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
