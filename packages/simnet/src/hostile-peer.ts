import net from 'node:net';
import { BitcoinCodec, REGTEST, type BitcoinMessage, type VersionMessage } from '@peerscope/bitcoin';
import { frame, HANDSHAKE_BEHAVIOURS, misbehave, type HostileBehaviour } from './hostile-behaviour.js';
import { simVersion } from './sim-version.js';

export type { HostileBehaviour } from './hostile-behaviour.js';
export { HANDSHAKE_BEHAVIOURS } from './hostile-behaviour.js';

export interface HostilePeer {
  port: number;
  /** Bytes written by the hostile side after its handshake, per connection. */
  readonly sentAfterHandshake: number[];
  /** Resolves when the peer under test closed the connection. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * A regtest peer that completes the handshake honestly, then does one hostile thing; or, for the
 * HANDSHAKE_BEHAVIOURS, misbehaves during the handshake itself.
 */
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
    const ours = simVersion({ userAgent: `/hostile:${behaviour}/`, startHeight: 5 });
    const handshaking = HANDSHAKE_BEHAVIOURS.has(behaviour);
    if (behaviour === 'verack-before-version') send({ command: 'verack' });
    socket.on('data', (chunk) => {
      if (misbehaving || behaviour === 'silent') return;
      let decoded;
      try {
        decoded = codec.decode(chunk);
      } catch {
        return;
      }
      for (const { message } of decoded) {
        if (message.command === 'version') {
          if (handshaking) return answerHostile(behaviour, message as VersionMessage, ours, socket, send, (n) => (sentAfterHandshake[index] += n));
          send(ours);
          send({ command: 'verack' });
        }
        if (message.command === 'verack') {
          if (behaviour === 'version-twice') {
            misbehaving = true;
            setTimeout(() => send({ ...ours, nonce: ours.nonce + 1n }), 20);
            return;
          }
          setTimeout(start, 20);
        }
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

/** The handshake-time behaviours: what the hostile peer answers our version with. */
export function answerHostile(behaviour: HostileBehaviour, theirs: VersionMessage, ours: VersionMessage, socket: net.Socket, send: (m: BitcoinMessage) => void, counted: (n: number) => void): void {
  switch (behaviour) {
    case 'never-verack':
      send(ours);
      return;
    case 'verack-before-version':
      send(ours);
      send({ command: 'verack' });
      return;
    case 'self-connection':
      send({ ...ours, nonce: theirs.nonce });
      send({ command: 'verack' });
      return;
    case 'huge-user-agent':
    case 'non-utf8-user-agent': {
      // Built by hand: our own encoder refuses both.
      const agent = behaviour === 'huge-user-agent' ? Buffer.alloc(300, 0x41) : Buffer.from([0x2f, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a, 0xc3, 0x28, 0x2f]);
      const head = Buffer.alloc(80);
      head.writeInt32LE(70016, 0);
      head.writeBigUInt64LE(1n, 4);
      head.writeBigInt64LE(BigInt(Math.floor(Date.now() / 1000)), 12);
      head.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1], 20 + 8);
      head.writeBigUInt64LE(ours.nonce, 72);
      const tail = Buffer.alloc(5);
      tail.writeInt32LE(5, 0);
      tail[4] = 1;
      const payload = Buffer.concat([head, Buffer.from([agent.length < 0xfd ? agent.length : 0xfd]), agent.length < 0xfd ? Buffer.alloc(0) : Buffer.from([agent.length & 0xff, agent.length >> 8]), agent, tail]);
      const bytes = frame(REGTEST.magicBytes, 'version', payload);
      counted(bytes.length);
      socket.write(bytes);
      send({ command: 'verack' });
      return;
    }
    default:
      return;
  }
}
