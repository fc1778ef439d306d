import * as snappy from 'snappyjs';
import { ProtocolError, type Decoded, type Direction, type WireCodec } from '@peerscope/engine/protocol';
import { RLP } from '@ethereumjs/rlp';
import { concat, fromHex, hex, uintBytes } from './bytes.js';
import type { EthConfig } from './config.js';
import { ETH_LENGTH, ETH_MESSAGES } from './eth/messages.js';
import { decodeStatus, encodeStatus } from './eth/status.js';
import type { EthMessage } from './messages.js';
import { BASE_PROTOCOL_LENGTH, EMPTY_LIST, P2P } from './p2p/codes.js';
import { decodeDisconnect, encodeDisconnect } from './p2p/disconnect.js';
import { decodeHello, encodeHello, sharedCapabilities, type Capability, type Hello } from './p2p/hello.js';
import { nodeKey } from './rlpx/crypto.js';
import { FrameCodec, FrameError } from './rlpx/frame.js';
import {
  eip8PacketLength, LEGACY_ACK_SIZE, LEGACY_AUTH_SIZE, MAX_HANDSHAKE_PACKET, RlpxHandshake, type HandshakeOptions,
} from './rlpx/handshake.js';

/** devp2p caps Snappy-decompressed messages at 16 MiB (go-ethereum p2p/rlpx). */
export const MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/** Largest frame we buffer; bigger declared frames fail the peer as 'oversize'. */
export const MAX_FRAME = MAX_MESSAGE_SIZE;

type Phase = 'start' | 'await-auth' | 'await-ack' | 'frames';

/**
 * One RLPx connection's bytes ↔ EthMessage. Stateful: the ECIES handshake happens inside (so frames
 * that arrive in the same chunk as the ack decode at once), then framing with the derived secrets,
 * Snappy once both Hellos say p2p ≥ 5, and message ids by the negotiated capability offsets.
 */
export class EthCodec implements WireCodec<EthMessage> {
  private phase: Phase;
  private readonly handshake: RlpxHandshake;
  private frames?: FrameCodec;
  private raw: Uint8Array = new Uint8Array(0);
  private ourHello?: Hello;
  private theirHello?: Hello;
  private snappy = false;
  /** Negotiated capabilities with their first message id. */
  private offsets: Array<{ cap: Capability; offset: number }> = [];
  private pendingAck?: Uint8Array;

  constructor(config: Pick<EthConfig, 'privateKey'>, readonly direction: Direction, options: HandshakeOptions = {}) {
    this.handshake = new RlpxHandshake(nodeKey(config.privateKey), options);
    this.phase = direction === 'inbound' ? 'await-auth' : 'start';
  }

  /** The eth capability offset, once Hellos are exchanged. */
  get ethOffset(): number | undefined {
    return this.offsets.find((o) => o.cap.name === 'eth')?.offset;
  }

  get compressing(): boolean {
    return this.snappy;
  }

  pending(): number {
    return this.raw.length + (this.frames?.pending ?? 0);
  }

  encode(message: EthMessage): { command: string; bytes: Uint8Array } {
    switch (message.type) {
      case 'auth': {
        if (this.phase !== 'start') throw new Error('auth: handshake already started');
        const bytes = this.handshake.createAuth(fromHex(message.remoteId), message.eip8 ?? true);
        this.phase = 'await-ack';
        return { command: 'auth', bytes };
      }
      case 'ack': {
        if (!this.pendingAck) throw new Error('ack: no auth received');
        const bytes = this.pendingAck;
        this.pendingAck = undefined;
        return { command: 'ack', bytes };
      }
      case 'hello':
        this.ourHello = message.hello;
        this.negotiate();
        // Hello itself is never compressed (devp2p rlpx.md, "Hello").
        return { command: 'hello', bytes: this.frame(P2P.hello, encodeHello(message.hello), false) };
      case 'disconnect':
        return { command: 'disconnect', bytes: this.frame(P2P.disconnect, encodeDisconnect(message.reason)) };
      case 'ping':
        return { command: 'ping', bytes: this.frame(P2P.ping, EMPTY_LIST) };
      case 'pong':
        return { command: 'pong', bytes: this.frame(P2P.pong, EMPTY_LIST) };
      case 'status':
        return { command: 'status', bytes: this.frame(this.ethId(0), encodeStatus(message.status)) };
      case 'eth':
        return { command: ethCommand(message.code), bytes: this.frame(this.ethId(message.code), message.payload) };
      case 'other':
        return { command: this.commandOf(message.id), bytes: this.frame(message.id, message.payload) };
    }
  }

  decode(chunk: Uint8Array): Decoded<EthMessage>[] {
    try {
      return this.decodeUnsafe(chunk);
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      if (err instanceof FrameError) throw new ProtocolError('bad-checksum', err.message);
      throw new ProtocolError('malformed', (err as Error).message);
    }
  }

  private decodeUnsafe(chunk: Uint8Array): Decoded<EthMessage>[] {
    const out: Decoded<EthMessage>[] = [];
    if (this.phase !== 'frames') {
      if (this.phase === 'start') throw new ProtocolError('protocol-violation', 'data before our auth');
      this.raw = this.raw.length === 0 ? chunk : concat(this.raw, chunk);
      const got = this.takeHandshakePacket();
      if (!got) return out;
      out.push(got);
      chunk = this.raw;
      this.raw = new Uint8Array(0);
      if (chunk.length === 0) return out;
    }
    const frames = this.frameCodec();
    for (const { data, wireSize } of frames.decode(chunk)) {
      out.push(this.decodeFrame(data, wireSize));
    }
    if (frames.pending > MAX_FRAME + 64) throw new ProtocolError('oversize', 'frame too large');
    return out;
  }

  /** Splits and processes the auth or ack at the head of `raw`; leaves what follows in `raw`. */
  private takeHandshakePacket(): Decoded<EthMessage> | undefined {
    const inbound = this.phase === 'await-auth';
    const legacySize = inbound ? LEGACY_AUTH_SIZE : LEGACY_ACK_SIZE;
    let size: number | undefined;
    let legacyTried = false;
    // A legacy packet is a bare ECIES blob starting with 0x04; an EIP-8 size prefix may too (EIP-8's
    // pseudocode: try the old format first, then the new).
    if (this.raw[0] === 0x04) {
      if (this.raw.length < legacySize) return undefined;
      legacyTried = true;
      const packet = this.raw.subarray(0, legacySize);
      const msg = this.tryProcess(packet, inbound, true);
      if (msg) {
        this.raw = this.raw.subarray(legacySize);
        return msg;
      }
    }
    size = eip8PacketLength(this.raw);
    if (size === undefined) return undefined;
    if (size > MAX_HANDSHAKE_PACKET) throw new ProtocolError('oversize', `handshake packet of ${size} bytes`);
    if (this.raw.length < size) return undefined;
    const packet = this.raw.slice(0, size);
    const msg = this.tryProcess(packet, inbound, false);
    if (!msg) throw new ProtocolError('malformed', `cannot decrypt ${inbound ? 'auth' : 'ack'}${legacyTried ? ' (either format)' : ''}`);
    this.raw = this.raw.subarray(size);
    return msg;
  }

  private tryProcess(packet: Uint8Array, inbound: boolean, quiet: boolean): Decoded<EthMessage> | undefined {
    try {
      if (inbound) {
        // The session secrets are derived when first needed (our Hello), after the ack is on its way.
        const info = this.handshake.openAuth(packet);
        this.pendingAck = this.handshake.createAck();
        this.phase = 'frames';
        return { command: 'auth', size: packet.length, message: { type: 'auth', remoteId: hex(info.remoteId), eip8: info.eip8 } };
      }
      this.frames = new FrameCodec(this.handshake.parseAck(packet));
      this.phase = 'frames';
      return { command: 'ack', size: packet.length, message: { type: 'ack', eip8: packet[0] !== 0x04 || packet.length !== LEGACY_ACK_SIZE } };
    } catch (err) {
      if (quiet) return undefined;
      throw err;
    }
  }

  private decodeFrame(data: Uint8Array, size: number): Decoded<EthMessage> {
    // The message id is an RLP integer: 0x80 is zero, 0x01–0x7f themselves.
    const { data: idBytes, remainder } = RLP.decode(data, true);
    if (!(idBytes instanceof Uint8Array) || idBytes.length > 2) throw new Error('bad message id');
    const id = idBytes.length === 0 ? 0 : Number('0x' + hex(idBytes));
    const body = remainder;
    if (id === P2P.hello) {
      const hello = decodeHello(body);
      this.theirHello = hello;
      this.negotiate();
      return { command: 'hello', size, message: { type: 'hello', hello } };
    }
    if (id === P2P.disconnect) {
      return { command: 'disconnect', size, message: { type: 'disconnect', reason: this.disconnectReason(body) } };
    }
    const payload = this.inflate(body);
    if (id === P2P.ping) return { command: 'ping', size, message: { type: 'ping' } };
    if (id === P2P.pong) return { command: 'pong', size, message: { type: 'pong' } };
    const eth = this.ethOffset;
    if (eth !== undefined && id >= eth && id < eth + ETH_LENGTH) {
      const code = id - eth;
      if (code === 0) return { command: 'status', size, message: { type: 'status', status: decodeStatus(payload) } };
      return { command: ethCommand(code), size, message: { type: 'eth', code, payload } };
    }
    return { command: this.commandOf(id), size, message: { type: 'other', id, payload } };
  }

  /**
   * Some clients send Disconnect uncompressed even after Snappy was agreed (ethereumjs does, as a bare
   * RLP integer). A Snappy block is at least 3 bytes (length, tag, data), the plain forms at most 2.
   */
  private disconnectReason(body: Uint8Array): number {
    if (this.snappy && body.length >= 3) {
      try {
        const plain = snappy.uncompress(body, 1024);
        RLP.decode(plain); // strict: the whole block must be one RLP item
        return decodeDisconnect(plain);
      } catch {
        // fall through to the plain form
      }
    }
    return decodeDisconnect(body);
  }

  private negotiate(): void {
    if (!this.theirHello) return;
    this.snappy = (this.ourHello?.p2pVersion ?? 0) >= 5 && this.theirHello.p2pVersion >= 5;
    if (this.ourHello) {
      let offset = BASE_PROTOCOL_LENGTH;
      this.offsets = sharedCapabilities(this.ourHello.capabilities, this.theirHello.capabilities).map((cap) => {
        const entry = { cap, offset };
        offset += cap.name === 'eth' ? ETH_LENGTH : capabilityLength(cap);
        return entry;
      });
    }
  }

  private inflate(body: Uint8Array): Uint8Array {
    if (!this.snappy) return body;
    return snappy.uncompress(body, MAX_MESSAGE_SIZE);
  }

  private frameCodec(): FrameCodec {
    if (!this.frames) {
      if (this.phase !== 'frames') throw new Error('no RLPx session yet');
      this.frames = new FrameCodec(this.handshake.secrets());
    }
    return this.frames;
  }

  private frame(id: number, payload: Uint8Array, compress = true): Uint8Array {
    if (compress && this.snappy && id !== P2P.hello) payload = snappy.compress(payload);
    return this.frameCodec().encode(concat(RLP.encode(uintBytes(id)), payload));
  }

  private ethId(code: number): number {
    const eth = this.ethOffset;
    if (eth === undefined) throw new Error('eth not negotiated');
    return eth + code;
  }

  private commandOf(id: number): string {
    for (const { cap, offset } of this.offsets) {
      if (id >= offset && id < offset + capabilityLength(cap)) return `${cap.name}:0x${(id - offset).toString(16)}`;
    }
    return id < BASE_PROTOCOL_LENGTH ? `p2p:0x${id.toString(16)}` : `unknown:0x${id.toString(16)}`;
  }
}

export function ethCommand(code: number): string {
  return code === 0 ? 'status' : `eth:${ETH_MESSAGES[code] ?? `0x${code.toString(16)}`}`;
}

/** Message-id space of capabilities we do not speak; only eth matters for the offsets we compute. */
function capabilityLength(cap: Capability): number {
  if (cap.name === 'eth') return ETH_LENGTH;
  if (cap.name === 'snap') return 8;
  return 0;
}
