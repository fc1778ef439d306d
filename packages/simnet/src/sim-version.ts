import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import type { NetAddress, VersionMessage } from '@peerscope/bitcoin';

export interface SimVersionOptions {
  userAgent: string;
  startHeight: number;
  /** How we see the peer (Core: addrMe); unknown when omitted. */
  receiver?: NetAddress;
  services?: bigint;
  version?: number;
}

/**
 * The version a simulated inbound peer answers with, shaped as Core's (net_processing.cpp PushNodeVersion):
 * an all-zero sender address (the peer learns ours from its socket), a random nonce so the client's
 * self-connection check never fires, and relay on.
 */
export function simVersion(o: SimVersionOptions): VersionMessage {
  return {
    command: 'version',
    version: o.version ?? 70016,
    services: o.services ?? 1n,
    timestamp: BigInt(Math.floor(Date.now() / 1000)),
    receiver: o.receiver ?? { services: 0n, host: '127.0.0.1', port: 0 },
    sender: { services: 0n, host: '::', port: 0 },
    nonce: randomBytes(8).readBigUInt64LE(),
    userAgent: o.userAgent,
    startHeight: o.startHeight,
    relay: true,
  };
}

/** How we see the client (version's addrMe), as Core fills it from the socket. */
export function receiverOf(socket: net.Socket): NetAddress {
  return { services: 0n, host: socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1', port: socket.remotePort ?? 0 };
}
