// A bare Bitcoin client over one socket, to see exactly what a simulated node writes.
import net from 'node:net';
import { BitcoinCodec, REGTEST, type BitcoinMessage, type MessageOf, type KnownCommand, type VersionMessage } from '@peerscope/bitcoin';
import { until } from '../../../../test/support/until.js';

export interface RawPeer {
  socket: net.Socket;
  messages: BitcoinMessage[];
  /** Set when the bytes stopped decoding (a hostile node). */
  decodeError?: Error;
  send(m: BitcoinMessage): void;
  next<C extends KnownCommand>(command: C, timeoutMs?: number): Promise<MessageOf<C>>;
  close(): void;
}

export function connectRaw(address: string): Promise<RawPeer> {
  const i = address.lastIndexOf(':');
  const socket = net.connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
  const codec = new BitcoinCodec({ magic: REGTEST.magic });
  const peer: RawPeer = {
    socket,
    messages: [],
    send: (m) => void socket.write(codec.encode(m).bytes),
    async next(command, timeoutMs = 10_000) {
      await until(() => peer.messages.some((m) => m.command === command), `a ${command} from ${address}`, timeoutMs);
      const at = peer.messages.findIndex((m) => m.command === command);
      return peer.messages.splice(at, 1)[0] as MessageOf<typeof command>;
    },
    close: () => void socket.destroy(),
  };
  socket.on('data', (chunk) => {
    if (peer.decodeError) return;
    try {
      for (const { message } of codec.decode(chunk)) peer.messages.push(message);
    } catch (err) {
      peer.decodeError = err as Error;
    }
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(peer));
    socket.once('error', reject);
  });
}

/** Our side of the version handshake, as a 70016 client: version, then (optionally) sendaddrv2, then verack. */
export async function handshake(address: string, o: { addrv2?: boolean } = {}): Promise<{ peer: RawPeer; version: VersionMessage }> {
  const peer = await connectRaw(address);
  peer.send({
    command: 'version', version: 70016, services: 0n, timestamp: BigInt(Math.floor(Date.now() / 1000)),
    receiver: { services: 0n, host: '127.0.0.1', port: 0 }, sender: { services: 0n, host: '::', port: 0 },
    nonce: 42n, userAgent: '/test:0.1/', startHeight: 0, relay: false,
  });
  const version = await peer.next('version');
  if (o.addrv2) peer.send({ command: 'sendaddrv2' });
  peer.send({ command: 'verack' });
  return { peer, version };
}

/** Whether a TCP connect to `address` is refused (nothing listens). */
export function refused(address: string): Promise<boolean> {
  const i = address.lastIndexOf(':');
  return new Promise((resolve) => {
    const s = net.connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}
