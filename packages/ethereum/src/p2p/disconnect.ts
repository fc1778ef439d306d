import { RLP } from '@ethereumjs/rlp';
import { bytesToNumber, uintBytes } from '../bytes.js';

/** devp2p rlpx.md, "Disconnect (0x01)". */
export const DISCONNECT_REASONS: Readonly<Record<number, string>> = {
  0x00: 'disconnect-requested',
  0x01: 'tcp-error',
  0x02: 'protocol-breach',
  0x03: 'useless-peer',
  0x04: 'too-many-peers',
  0x05: 'already-connected',
  0x06: 'incompatible-version',
  0x07: 'invalid-identity',
  0x08: 'client-quitting',
  0x09: 'unexpected-identity',
  0x0a: 'self-connection',
  0x0b: 'ping-timeout',
  0x10: 'subprotocol-error',
};

export const DisconnectReason = {
  requested: 0x00,
  protocolBreach: 0x02,
  uselessPeer: 0x03,
  tooManyPeers: 0x04,
  clientQuitting: 0x08,
  timeout: 0x0b,
  subprotocolError: 0x10,
} as const;

export function disconnectReasonName(reason: number): string {
  return DISCONNECT_REASONS[reason] ?? `unknown-0x${reason.toString(16)}`;
}

export function encodeDisconnect(reason: number): Uint8Array {
  return RLP.encode([uintBytes(reason)]);
}

/** Clients disagree on the shape: [reason] per spec, a bare integer from some, and an empty payload. */
export function decodeDisconnect(payload: Uint8Array): number {
  if (payload.length === 0) return 0;
  const decoded = RLP.decode(payload, true).data;
  const value = Array.isArray(decoded) ? decoded[0] : decoded;
  return value instanceof Uint8Array ? bytesToNumber(value) : 0;
}
