// SocketLink's send-side limits, on a stand-in socket whose send queue the test controls.
import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED_WRITES, SocketLink, type LinkFailure } from '../src/socket-link.js';
import type { WireCodec } from '../src/protocol.js';

/** What SocketLink uses of a net.Socket; `reading` drains the queue at once, as a peer that reads. */
function standInSocket(reading: boolean) {
  return {
    writableLength: 0,
    destroyed: false,
    setNoDelay() {},
    on() {},
    cork() {},
    uncork() {},
    end() {},
    destroy() {
      this.destroyed = true;
    },
    removeAllListeners() {},
    write(bytes: Uint8Array) {
      if (!reading) this.writableLength += bytes.length;
      return true;
    },
  };
}

const codec: WireCodec<string> = { decode: () => [], encode: (m) => ({ command: m, bytes: new Uint8Array(32) }) };

function link(reading: boolean) {
  const ends: LinkFailure[] = [];
  const socket = standInSocket(reading);
  const l = new SocketLink('p', '127.0.0.1', 1, 'outbound', socket as unknown as net.Socket, codec, () => {}, (f) => ends.push(f), 30_000);
  return { l, ends, socket };
}

describe('SocketLink send queue', () => {
  it('fails a peer that never reads once too many small messages wait unsent, long before the byte cap', () => {
    const { l, ends, socket } = link(false);
    for (let i = 0; i <= MAX_QUEUED_WRITES; i++) l.send('pong');
    expect(ends).toEqual([{ reason: 'flood', detail: `peer is not reading: ${MAX_QUEUED_WRITES + 1} messages queued unsent` }]);
    expect(socket.writableLength).toBeLessThan(1024 * 1024); // well under MAX_UNSENT_BYTES
    expect(socket.destroyed).toBe(true);
  });

  it('never counts against a peer that keeps reading, however many messages it gets', () => {
    const { l, ends } = link(true);
    for (let i = 0; i < 3 * MAX_QUEUED_WRITES; i++) l.send('pong');
    expect(ends).toEqual([]);
  });
});
