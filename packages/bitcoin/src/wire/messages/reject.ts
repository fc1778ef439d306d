import { MAX_REJECT_COMMAND, MAX_REJECT_REASON } from '../limits.js';
import type { MessageCodec } from '../message-codec.js';

/**
 * BIP61 reject (removed from Core 0.20, still sent by older nodes and other implementations).
 * `data` is whatever follows the reason: the 32-byte hash of the rejected tx or block, or nothing.
 * String limits as Core enforced them (LIMITED_STRING): over them is malformed.
 */
export interface RejectMessage {
  command: 'reject';
  /** The command of the rejected message. */
  message: string;
  code: number;
  reason: string;
  data: Uint8Array;
}

/** BIP61 codes. */
export const RejectCode = {
  MALFORMED: 0x01,
  INVALID: 0x10,
  OBSOLETE: 0x11,
  DUPLICATE: 0x12,
  NONSTANDARD: 0x40,
  DUST: 0x41,
  INSUFFICIENT_FEE: 0x42,
  CHECKPOINT: 0x43,
} as const;

export const reject: MessageCodec<RejectMessage> = {
  command: 'reject',
  decode(r) {
    const message = r.varString(MAX_REJECT_COMMAND, 'rejected command');
    const code = r.u8('code');
    const reason = r.varString(MAX_REJECT_REASON, 'reason');
    return { command: 'reject', message, code, reason, data: r.rest() };
  },
  encode(m, w) {
    w.varString(m.message, MAX_REJECT_COMMAND).u8(m.code).varString(m.reason, MAX_REJECT_REASON).bytes(m.data);
  },
};
