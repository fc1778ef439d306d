import { ProtocolError } from '@peerscope/engine/protocol';
import { malformed } from './errors.js';
import type { MessageCodec } from './message-codec.js';
import { PayloadReader } from './reader.js';
import { PayloadWriter } from './writer.js';
import { addr, type AddrMessage } from './messages/addr.js';
import { addrv2, type AddrV2Message } from './messages/addrv2.js';
import { feefilter, type FeeFilterMessage } from './messages/feefilter.js';
import { getaddr, type GetAddrMessage } from './messages/getaddr.js';
import { getdata, type GetDataMessage } from './messages/getdata.js';
import { getheaders, type GetHeadersMessage } from './messages/getheaders.js';
import { headers, type HeadersMessage } from './messages/headers.js';
import { inv, type InvMessage } from './messages/inv.js';
import { notfound, type NotFoundMessage } from './messages/notfound.js';
import { ping, type PingMessage } from './messages/ping.js';
import { pong, type PongMessage } from './messages/pong.js';
import { reject, type RejectMessage } from './messages/reject.js';
import { sendaddrv2, type SendAddrV2Message } from './messages/sendaddrv2.js';
import { sendcmpct, type SendCmpctMessage } from './messages/sendcmpct.js';
import { sendheaders, type SendHeadersMessage } from './messages/sendheaders.js';
import { verack, type VerackMessage } from './messages/verack.js';
import { version, type VersionMessage } from './messages/version.js';
import { wtxidrelay, type WtxidRelayMessage } from './messages/wtxidrelay.js';

/** Every message this codec decodes into typed fields. */
export type KnownMessage =
  | VersionMessage | VerackMessage | PingMessage | PongMessage | GetAddrMessage | AddrMessage
  | AddrV2Message | SendAddrV2Message | InvMessage | GetDataMessage | NotFoundMessage
  | GetHeadersMessage | HeadersMessage | SendHeadersMessage | SendCmpctMessage | FeeFilterMessage
  | WtxidRelayMessage | RejectMessage;

export type KnownCommand = KnownMessage['command'];

/** Any other command (block, tx, cmpctblock, …): the payload as received, checksum verified. */
export interface RawMessage {
  command: string;
  raw: Uint8Array;
}

/**
 * A Bitcoin message, discriminated on `command`. Because RawMessage's command is any string,
 * `m.command === 'ping'` alone does not narrow to PingMessage in TypeScript; use
 * `isMessage(m, 'ping')`, or test `'raw' in m` first, after which a switch on command narrows.
 */
export type BitcoinMessage = KnownMessage | RawMessage;

export type MessageOf<C extends KnownCommand> = Extract<KnownMessage, { command: C }>;

const CODECS: { [C in KnownCommand]: MessageCodec<MessageOf<C>> } = {
  version, verack, ping, pong, getaddr, addr, addrv2, sendaddrv2, inv, getdata, notfound,
  getheaders, headers, sendheaders, sendcmpct, feefilter, wtxidrelay, reject,
};

const BY_COMMAND = new Map<string, MessageCodec<KnownMessage>>(
  Object.entries(CODECS) as [string, MessageCodec<KnownMessage>][],
);

export const KNOWN_COMMANDS: readonly KnownCommand[] = Object.freeze(Object.keys(CODECS) as KnownCommand[]);

export function isKnownCommand(command: string): command is KnownCommand {
  return BY_COMMAND.has(command);
}

/** Narrows a message to the typed form of `command` (false for raw messages). */
export function isMessage<C extends KnownCommand>(m: BitcoinMessage, command: C): m is MessageOf<C> {
  return m.command === command && !('raw' in m);
}

/**
 * Decodes one payload. Unknown commands pass through as RawMessage. Trailing bytes after a message
 * are malformed except where Core reads optional fields (version) or open-ended data (reject).
 */
export function decodePayload(command: string, payload: Uint8Array): BitcoinMessage {
  const codec = BY_COMMAND.get(command);
  if (codec === undefined) return { command, raw: payload };
  const r = new PayloadReader(payload, command);
  try {
    const message = codec.decode(r);
    r.end();
    return message;
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw malformed(`${command}: ${(e as Error).message}`);
  }
}

/** Writes the payload of `m` after the writer's reserved header space. */
export function writePayload(m: BitcoinMessage, w: PayloadWriter): void {
  if ('raw' in m) {
    w.bytes(m.raw);
    return;
  }
  const codec = BY_COMMAND.get(m.command);
  if (codec === undefined) throw new TypeError(`no encoder for "${m.command}" (send unknown commands as { command, raw })`);
  codec.encode(m, w);
}

/** The payload of `m` alone, without the frame header. */
export function encodePayload(m: BitcoinMessage): Uint8Array {
  const w = new PayloadWriter();
  writePayload(m, w);
  return w.buf.slice(w.pos - w.payloadLength, w.pos);
}
