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
  | 'no-read-flood' // pings as fast as it can while never reading our pongs
  | 'trickle' // slowloris: a valid frame, one byte at a time, a byte every 200 ms
  | 'addr-flood' // 50,000 addresses in 50 addr messages of 1,000
  | 'ping-flood' // 20,000 pings in a burst (reading the pongs)
  | 'inv-flood' // 40 inv messages of 50,000 entries each (2 million announcements)
  | 'reset-mid-message' // half a frame, then a TCP reset
  | 'version-twice' // a second version message after the handshake
  // Handshake-time behaviours (hostile-peer.ts does the handshake differently for these):
  | 'never-verack' // answers version with version, never verack
  | 'verack-before-version' // verack first, then version and verack
  | 'huge-user-agent' // a user agent of 300 bytes (Core's MAX_SUBVERSION_LENGTH is 256)
  | 'non-utf8-user-agent' // a user agent of bytes that are not UTF-8, with terminal escapes
  | 'silent' // accepts the connection and never says a word
  | 'self-connection'; // answers with our own version nonce, as a connection to ourselves would

/** Behaviours that start during the version handshake rather than after it. */
export const HANDSHAKE_BEHAVIOURS: ReadonlySet<HostileBehaviour> = new Set(['never-verack', 'verack-before-version', 'huge-user-agent', 'non-utf8-user-agent', 'silent', 'self-connection']);

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
    case 'trickle': {
      const bytes = frame(magic, 'ping', randomBytes(8));
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || i >= bytes.length) return void clearInterval(timer);
        write(bytes.subarray(i, ++i));
      }, 200);
      socket.once('close', () => clearInterval(timer));
      return;
    }
    case 'addr-flood': {
      for (let m = 0; m < 50; m++) {
        const payload = Buffer.alloc(3 + 1000 * 30);
        payload[0] = 0xfd;
        payload.writeUInt16LE(1000, 1);
        for (let k = 0; k < 1000; k++) {
          const at = 3 + k * 30;
          payload.writeUInt32LE(Math.floor(Date.now() / 1000), at);
          payload.writeBigUInt64LE(1n, at + 4);
          // ::ffff:10.m.k.k — routable-looking, never dialled by a loopback-only session
          payload.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, m, k >> 8, k & 0xff], at + 12);
          payload.writeUInt16BE(8333, at + 28);
        }
        write(frame(magic, 'addr', payload));
      }
      return;
    }
    case 'ping-flood': {
      const ping = frame(magic, 'ping', randomBytes(8));
      write(Buffer.concat(Array.from({ length: 20_000 }, () => ping)));
      return;
    }
    case 'inv-flood': {
      const payload = Buffer.alloc(3 + 50_000 * 36);
      payload[0] = 0xfd;
      payload.writeUInt16LE(50_000, 1);
      for (let k = 0; k < 50_000; k++) payload.writeUInt32LE(1, 3 + k * 36); // MSG_TX, zero hashes
      const inv = frame(magic, 'inv', payload);
      let n = 0;
      const go = () => {
        while (!socket.destroyed && n < 40) {
          n++;
          if (!write(inv)) return void socket.once('drain', go);
        }
      };
      go();
      return;
    }
    case 'reset-mid-message':
      write(frame(magic, 'ping', randomBytes(8)).subarray(0, 20));
      setTimeout(() => socket.resetAndDestroy(), 50);
      return;
    case 'version-twice':
      // The caller passes the version it sent: misbehaveWith handles it; here, a plain second version header.
      return;
    case 'never-verack':
    case 'verack-before-version':
    case 'huge-user-agent':
    case 'non-utf8-user-agent':
    case 'silent':
    case 'self-connection':
      return;
    case 'no-read-flood': {
      socket.pause(); // never read again: the client's pongs back up
      const ping = frame(magic, 'ping', randomBytes(8));
      pump(Buffer.concat(Array.from({ length: 1024 }, () => ping)), 256 * 1024 * 1024);
      return;
    }
  }
}
