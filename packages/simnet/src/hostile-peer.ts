import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { BitcoinCodec, doubleSha256, REGTEST, type BitcoinMessage } from '@peerscope/bitcoin';

/** Ways a Bitcoin peer can misbehave after an honest version handshake. */
export type HostileBehaviour =
  | 'bad-magic' // a frame from another network
  | 'bad-checksum' // a frame whose checksum does not match its payload
  | 'oversize' // a header declaring 4,000,001 bytes, then an endless stream
  | 'garbage' // random bytes where a header should be
  | 'malformed' // a well-framed inv claiming more entries than MAX_INV
  | 'stall' // half a message, then silence
  | 'no-read-flood'; // pings as fast as it can while never reading our pongs

export interface HostilePeer {
  port: number;
  /** Bytes written by the hostile side after its handshake, per connection. */
  readonly sentAfterHandshake: number[];
  /** Resolves when the peer under test closed the connection. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

function frame(magicBytes: Uint8Array, command: string, payload: Uint8Array, corruptChecksum = false): Buffer {
  const header = Buffer.alloc(24);
  Buffer.from(magicBytes).copy(header, 0);
  header.write(command, 4, 'ascii');
  header.writeUInt32LE(payload.length, 16);
  const sum = Buffer.from(doubleSha256(payload).subarray(0, 4));
  if (corruptChecksum) sum[0] ^= 0xff;
  sum.copy(header, 20);
  return Buffer.concat([header, payload]);
}

/** A regtest peer that completes the handshake honestly, then does one hostile thing. */
export async function startHostilePeer(behaviour: HostileBehaviour, host = '127.0.0.1'): Promise<HostilePeer> {
  const magic = REGTEST.magicBytes;
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
    const write = (b: Buffer) => {
      sentAfterHandshake[index] += b.length;
      return socket.write(b);
    };
    const misbehave = () => {
      misbehaving = true;
      switch (behaviour) {
        case 'bad-magic':
          return write(frame(Uint8Array.from([0xf9, 0xbe, 0xb4, 0xd9]), 'ping', randomBytes(8)));
        case 'bad-checksum':
          return write(frame(magic, 'ping', randomBytes(8), true));
        case 'garbage':
          return write(randomBytes(4096));
        case 'malformed': {
          const payload = Buffer.alloc(5);
          payload[0] = 0xfe;
          payload.writeUInt32LE(60_000, 1); // inv count over MAX_INV (50,000)
          return write(frame(magic, 'inv', payload));
        }
        case 'stall': {
          const full = frame(magic, 'ping', randomBytes(8));
          return write(full.subarray(0, 28));
        }
        case 'oversize': {
          const header = frame(magic, 'block', Buffer.alloc(0)).subarray(0, 24);
          header.writeUInt32LE(4_000_001, 16);
          write(Buffer.from(header));
          const chunk = Buffer.alloc(64 * 1024);
          const pump = () => {
            while (!socket.destroyed && sentAfterHandshake[index] < 64 * 1024 * 1024) if (!write(chunk)) return void socket.once('drain', pump);
          };
          return pump();
        }
        case 'no-read-flood': {
          socket.pause(); // never read again: our pongs back up
          const ping = frame(magic, 'ping', randomBytes(8));
          const burst = Buffer.concat(Array.from({ length: 1024 }, () => ping));
          const pump = () => {
            while (!socket.destroyed && sentAfterHandshake[index] < 256 * 1024 * 1024) if (!write(burst)) return void socket.once('drain', pump);
          };
          return pump();
        }
      }
    };
    socket.on('data', (chunk) => {
      if (misbehaving) return;
      for (const { message } of codec.decode(chunk)) {
        if (message.command === 'version') {
          send({
            command: 'version', version: 70016, services: 1n, timestamp: BigInt(Math.floor(Date.now() / 1000)),
            receiver: { services: 0n, host: '127.0.0.1', port: 0 }, sender: { services: 0n, host: '::', port: 0 },
            nonce: randomBytes(8).readBigUInt64LE(), userAgent: `/hostile:${behaviour}/`, startHeight: 5, relay: false,
          });
          send({ command: 'verack' });
        }
        if (message.command === 'verack') setTimeout(misbehave, 20);
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
