import type { CallbackActorLogic } from "xstate";
import type { CommonProtocolFailure, FailureReason, PeerEventBody, PeerInfo } from './events.js';

/**
 * A protocol error: the peer sent something we refuse. Thrown by decoders and handlers; fails the peer
 * with `reason`. Any other exception is a bug of ours and fails the peer as 'internal'.
 */
export class ProtocolError<Reason extends string = FailureReason> extends Error {
  constructor(readonly reason: Reason | CommonProtocolFailure, message: string) {
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
  /**
   * True when decode() keeps no reference to the chunk it is given (it copies what it buffers). The
   * engine may then read every connection of a thread into one shared buffer, instead of a fresh
   * allocation per read that leaves the allocator fragmented across thousands of sockets.
   */
  readonly copiesInput?: boolean;
}

export type Direction = 'outbound' | 'inbound';

/**
 * What the engine hands a protocol's handshake and ready actors: a connected, decoded transport.
 * Messages that arrive while no handler is set (between handshake and ready) are queued, in order.
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
  onMessage(handler: ((message: Msg) => void) | null): void;
  report(event: PeerEventBody): void;
}

/** Input of both protocol actors. */
export interface ProtocolActorInput<Msg, Config> {
  link: PeerLink<Msg>;
  config: Config;
  /** What the handshake resolved with (ready actor only). */
  handshake?: PeerInfo;
}

/**
 * Events a protocol actor sends back to the peer machine.
 * - handshake.done: the peer is ready; `info` is reported once.
 * - peer.fail: end the connection with a typed reason (the engine's, a common one, or one declared).
 */
export type ProtocolActorEvent<Reason extends string = never> =
  | { type: 'handshake.done'; info: PeerInfo }
  | { type: 'peer.fail'; reason: FailureReason<Reason>; detail?: string };

/** What the embedding program sends a peer (PeerHandle.command): delivered to the protocol's actor. */
export interface PeerCommandEvent<Command> {
  type: 'peer.command';
  command: Command;
}

/** A protocol actor: xstate callback logic that receives the peer's commands and reads ProtocolActorInput. */
export type ProtocolActorLogic<Msg, Config, Command> = CallbackActorLogic<PeerCommandEvent<Command>, ProtocolActorInput<Msg, Config>>;

/**
 * A protocol: supplied to the generic peer machine with `machine.provide({ actors })`.
 * Loaded inside workers by module specifier: the module's default export must be a Protocol, and its
 * Config must be plain data (it crosses the thread boundary by structured clone).
 */
export interface Protocol<Msg, Config, Command = never, Reason extends string = never> {
  readonly name: string;
  /** The reasons this protocol fails peers with beyond the engine's and the common ones, each with its meaning. */
  readonly failures: Readonly<Record<Reason, string>>;
  createCodec(config: Config, direction: Direction): WireCodec<Msg>;
  /** Drives the handshake; sends `handshake.done` or `peer.fail` to its parent. Commands arriving now reach it too. */
  readonly handshake: ProtocolActorLogic<Msg, Config, Command>;
  /** Runs while ready (pings, requests, answers). Input has `handshake` set. */
  readonly ready: ProtocolActorLogic<Msg, Config, Command>;
}

/**
 * A protocol whose types the engine does not know: what a module loaded by specifier gives (the engine
 * only passes Msg, Config and Command between the protocol's own parts, so it needs none of them).
 */
export type LoadedProtocol = Protocol<unknown, unknown, unknown, string>;

/** The one place a protocol's types are erased: for running it where only the engine handles its values. */
export function erase<Msg, Config, Command, Reason extends string>(protocol: Protocol<Msg, Config, Command, Reason>): LoadedProtocol {
  return protocol as unknown as LoadedProtocol;
}

/** Identity with checking: `defineProtocol({...})` infers Msg, Config, Command and Reason and checks every part against them. */
export function defineProtocol<Msg, Config, Command = never, Reason extends string = never>(
  protocol: Protocol<Msg, Config, Command, Reason>,
): Protocol<Msg, Config, Command, Reason> {
  return protocol;
}
