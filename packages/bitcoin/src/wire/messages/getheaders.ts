import { MAX_LOCATOR } from '../limits.js';
import type { MessageCodec } from '../message-codec.js';

/**
 * Asks for up to 2000 headers after the first locator hash the peer knows, up to hashStop
 * (all zeros: as many as possible). More than MAX_LOCATOR hashes is malformed (Core disconnects).
 */
export interface GetHeadersMessage {
  command: 'getheaders';
  /** Protocol version of the sender; Core ignores it. */
  version: number;
  /** Block hashes in wire order, newest first, spaced exponentially back to genesis. */
  locator: Uint8Array[];
  hashStop: Uint8Array;
}

export const getheaders: MessageCodec<GetHeadersMessage> = {
  command: 'getheaders',
  decode(r) {
    const version = r.u32le('version');
    const n = r.count(MAX_LOCATOR, 'locator count');
    const locator = new Array<Uint8Array>(n);
    for (let i = 0; i < n; i++) locator[i] = r.hash('locator hash');
    return { command: 'getheaders', version, locator, hashStop: r.hash('hash stop') };
  },
  encode(m, w) {
    if (m.locator.length > MAX_LOCATOR) throw new RangeError(`getheaders: ${m.locator.length} locator hashes over ${MAX_LOCATOR}`);
    w.u32le(m.version).compactSize(m.locator.length);
    for (const h of m.locator) w.bytes(h, 32);
    w.bytes(m.hashStop, 32);
  },
};
