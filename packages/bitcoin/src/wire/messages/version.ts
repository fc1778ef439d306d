import { readNetAddress, writeNetAddress, type NetAddress } from '../address.js';
import { MAX_USER_AGENT } from '../limits.js';
import type { MessageCodec } from '../message-codec.js';

/**
 * The first message of each side. Decoded the way Core does (net_processing.cpp, ProcessMessage
 * "version"): version, services, timestamp and receiver are required; sender+nonce, user agent,
 * start height and relay are each optional, read only while bytes remain, so old peers' shorter
 * messages parse (relay is absent before protocol 70001, BIP37). Bytes after relay are ignored, as
 * Core ignores them (room for future fields). A user agent over MAX_USER_AGENT bytes is malformed.
 */
export interface VersionMessage {
  command: 'version';
  version: number;
  services: bigint;
  /** Seconds since 1970 (int64). */
  timestamp: bigint;
  /** How the sender sees us (Core: addrMe). */
  receiver: NetAddress;
  /** The sender's own address; Core sends zeros here. */
  sender: NetAddress;
  /** Detects connections to ourselves. */
  nonce: bigint;
  userAgent: string;
  startHeight: number;
  /** BIP37: false asks the peer not to announce transactions until a filter is set. Default true. */
  relay: boolean;
}

const UNSPECIFIED: NetAddress = Object.freeze({ services: 0n, host: '::', port: 0 });

export const version: MessageCodec<VersionMessage> = {
  command: 'version',
  decode(r) {
    const m: VersionMessage = {
      command: 'version',
      version: r.i32le('version'),
      services: r.u64le('services'),
      timestamp: r.i64le('timestamp'),
      receiver: readNetAddress(r),
      sender: UNSPECIFIED,
      nonce: 0n,
      userAgent: '',
      startHeight: 0,
      relay: true,
    };
    if (r.remaining > 0) {
      m.sender = readNetAddress(r);
      m.nonce = r.u64le('nonce');
    }
    if (r.remaining > 0) m.userAgent = r.varString(MAX_USER_AGENT, 'user agent');
    if (r.remaining > 0) m.startHeight = r.i32le('start height');
    if (r.remaining > 0) m.relay = r.bool('relay');
    r.pos = r.buf.length;
    return m;
  },
  encode(m, w) {
    w.i32le(m.version).u64le(m.services).i64le(m.timestamp);
    writeNetAddress(w, m.receiver);
    writeNetAddress(w, m.sender);
    w.u64le(m.nonce).varString(m.userAgent, MAX_USER_AGENT).i32le(m.startHeight).bool(m.relay);
  },
};
