import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { doubleSha256 } from '@peerscope/bitcoin';

/** Ways a Bitcoin peer can misbehave after an honest version handshake. */
export type HostileBehaviour =
  | 'bad-magic' // a frame from another network
  | 'bad-checksum' // a frame whose checksum does not match its payload
  | 'oversize' // a header declaring 4,000,001 bytes, then an endless stream
  | 'garbage' // random bytes where a header should be
  | 'malformed' // a well-framed inv claiming more entries than MAX_INV
  | 'stall' // half a message, then silence
  | 'no-read-flood'; // pings as fast as it can while never reading our pongs

/** A frame with any magic and, when asked, a checksum that does not match. */
export function frame(magicBytes: Uint8Array, command: string, payload: Uint8Array, corruptChecksum = false): Buffer {
  const header = Buffer.alloc(24);
  Buffer.from(magicBytes).copy(header, 0);
  header.write(command, 4, 'ascii');
  header.writeUInt32LE(payload.length, 16);
  const sum = Buffer.from(doubleSha256(payload).subarray(0, 4));
  if (corruptChecksum) sum[0] ^= 0xff;
  sum.copy(header, 20);
  return Buffer.concat([header, payload]);
}

/**
 * Does `behaviour` on a socket whose handshake is done. `onWrite` sees every byte count written. The
 * two pumping behaviours stop by themselves (64 MB, 256 MB) so a client that never fails them cannot
 * keep this process busy forever.
 */
export function misbehave(behaviour: HostileBehaviour, socket: net.Socket, magic: Uint8Array, onWrite: (bytes: number) => void = () => {}): void {
  let sent = 0;
  const write = (b: Buffer) => {
    sent += b.length;
    onWrite(b.length);
    return socket.write(b);
  };
  const pump = (chunk: Buffer, limit: number) => {
    const go = () => {
      while (!socket.destroyed && sent < limit) if (!write(chunk)) return void socket.once('drain', go);
    };
    go();
  };
  switch (behaviour) {
    case 'bad-magic':
      write(frame(Uint8Array.from([0xf9, 0xbe, 0xb4, 0xd9]), 'ping', randomBytes(8)));
      return;
    case 'bad-checksum':
      write(frame(magic, 'ping', randomBytes(8), true));
      return;
    case 'garbage':
      write(randomBytes(4096));
      return;
    case 'malformed': {
      const payload = Buffer.alloc(5);
      payload[0] = 0xfe;
      payload.writeUInt32LE(60_000, 1); // inv count over MAX_INV (50,000)
      write(frame(magic, 'inv', payload));
      return;
    }
    case 'stall':
      write(frame(magic, 'ping', randomBytes(8)).subarray(0, 28));
      return;
    case 'oversize': {
      const header = frame(magic, 'block', Buffer.alloc(0)).subarray(0, 24);
      header.writeUInt32LE(4_000_001, 16);
      write(Buffer.from(header));
      pump(Buffer.alloc(64 * 1024), 64 * 1024 * 1024);
      return;
    }
    case 'no-read-flood': {
      socket.pause(); // never read again: the client's pongs back up
      const ping = frame(magic, 'ping', randomBytes(8));
      pump(Buffer.concat(Array.from({ length: 1024 }, () => ping)), 256 * 1024 * 1024);
      return;
    }
  }
}
