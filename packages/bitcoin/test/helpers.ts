import { createHash } from 'node:crypto';
import { ProtocolError } from '@peerscope/engine/protocol';

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

const MAINNET_MAGIC = hex('f9beb4d9');

/** A frame built independently of the codec (node:crypto checksum), for hostile and vector tests. */
export function frame(command: string, payload: Uint8Array, opts: { magic?: Uint8Array; checksum?: Uint8Array; length?: number } = {}): Uint8Array {
  const out = new Uint8Array(24 + payload.length);
  out.set(opts.magic ?? MAINNET_MAGIC, 0);
  out.set(Buffer.from(command, 'latin1'), 4);
  new DataView(out.buffer).setUint32(16, opts.length ?? payload.length, true);
  const sum = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest().subarray(0, 4);
  out.set(opts.checksum ?? sum, 20);
  out.set(payload, 24);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** Replaces byte arrays by hex so that views, Buffers and copies compare by content. */
export function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Runs fn and returns the ProtocolError's reason (fails the test when nothing or something else is thrown). */
export function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.reason;
    throw e;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}
