import type { AnyActorLogic } from 'xstate';
import type { FailureReason, PeerEventBody, PeerInfo } from './events.js';

/** A protocol error: the peer sent something we refuse. Thrown by decoders; fails the peer with `reason`. */
export class ProtocolError extends Error {
  constructor(readonly reason: FailureReason, message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** One decoded message with what the traffic statistics need. */
export interface Decoded<Msg> {
  command: string;
  /** Bytes on the wire, framing included. */
  size: number;
  message: Msg;
}

/** Bytes ↔ messages for one connection. Stateful (partial frames, negotiated ciphers), never shared. */
export interface WireCodec<Msg> {
  /** Feed raw bytes; returns every message completed by them. Throws ProtocolError on bad input. */
  decode(chunk: Uint8Array): Decoded<Msg>[];
  /** Encode one message for the wire. */
  encode(message: Msg): { command: string; bytes: Uint8Array };
  /**
   * Bytes held for a message not yet complete. While non-zero the engine runs a stall timer, so a peer
   * that stops mid-message fails with 'timeout-stall' instead of pinning a buffer forever.
   */
  pending?(): number;
}

export type Direction = 'outbound' | 'inbound';

/**
 * What the engine hands a protocol's handshake and session actors: a connected, decoded transport.
 * Messages that arrive while no handler is set (between handshake and session) are queued, in order.
 */
export interface PeerLink<Msg> {
  readonly id: string;
  /** `host:port` of the remote side. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** The dialled peer's identity, when its address carried one (e.g. an Ethereum node id). */
  readonly key?: string;
  readonly direction: Direction;
  send(message: Msg): void;
  /** Raw bytes, bypassing the codec (handshake preambles that are not messages, e.g. RLPx auth). */
  write(bytes: Uint8Array, command?: string): void;
  /** The codec of this connection (for protocols whose framing changes after the handshake). */
  readonly codec: WireCodec<Msg>;
  onMessage(handler: ((message: Msg) => void) | null): void;
  report(event: PeerEventBody): void;
}

/** Input of both protocol actors. */
export interface ProtocolActorInput<Msg = unknown, Config = unknown> {
  link: PeerLink<Msg>;
  config: Config;
  /** What the handshake resolved with (session actor only). */
  handshake?: PeerInfo;
}

/**
 * Events a protocol actor sends back to the peer machine.
 * - handshake.done: the peer is ready; `info` is reported once.
 * - peer.fail: end the connection with a typed reason.
 */
export type ProtocolActorEvent =
  | { type: 'handshake.done'; info: PeerInfo }
  | { type: 'peer.fail'; reason: FailureReason; detail?: string };

/**
 * A protocol: supplied to the generic peer machine with `machine.provide({ actors })`.
 * Loaded inside workers by module specifier: the module's default export must be a Protocol.
 */
export interface Protocol<Msg = any, Config = any> {
  readonly name: string;
  createCodec(config: Config, direction: Direction): WireCodec<Msg>;
  /** Drives the handshake; sends `handshake.done` or `peer.fail` to its parent. Input: ProtocolActorInput. */
  readonly handshake: AnyActorLogic;
  /** Runs while ready (pings, requests, answers). Input: ProtocolActorInput with `handshake` set. */
  readonly session: AnyActorLogic;
}
