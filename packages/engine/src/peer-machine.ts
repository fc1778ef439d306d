import net from 'node:net';
import { assign, fromCallback, sendTo, setup } from "xstate";
import type { FailureReason, PeerEnd, PeerEventBody, PeerInfo } from './events.js';
import type { Direction, PeerCommandEvent, PeerLink, ProtocolActorEvent, ProtocolActorInput, WireCodec } from './protocol.js';
import { SocketLink, socketFailure, type LinkFailure } from './socket-link.js';

export interface PeerTimeouts {
  /** TCP connect. */
  connectMs: number;
  /** From connected to the protocol's handshake.done. */
  handshakeMs: number;
  /** A message started but not finished. */
  stallMs: number;
}

export const DEFAULT_TIMEOUTS: PeerTimeouts = { connectMs: 10_000, handshakeMs: 20_000, stallMs: 30_000 };

export interface PeerMachineInput {
  id: string;
  host: string;
  port: number;
  /** The peer's identity, when its address carried one. */
  key?: string;
  config: unknown;
  /** An accepted socket (inbound): connecting completes at once. */
  socket?: net.Socket;
  timeouts: PeerTimeouts;
  createCodec(direction: Direction): WireCodec<unknown>;
  report(event: PeerEventBody): void;
}

interface PeerContext extends PeerMachineInput {
  transport: Transport;
  link?: SocketLink<unknown>;
  info?: PeerInfo;
  end?: LinkFailure;
}

type PeerMachineEvent =
  | ProtocolActorEvent<string>
  | { type: 'transport.connected'; link: SocketLink<unknown> }
  | { type: 'transport.ended'; reason: FailureReason; detail?: string }
  | { type: 'peer.command'; command: unknown }
  | { type: 'stop' };

/**
 * One read buffer for every dialled connection of this thread whose codec copies its input: reads are
 * handled one at a time, each decoded before the next. A fresh 64 KB allocation per read, shrunk to
 * the bytes read, left glibc's heap fragmented at about 40 KB of RSS per idle peer.
 */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * The socket, for the machine's whole life: dials (or adopts an accepted socket), builds the link once
 * connected, and reports every way the connection ends. A plain object, not an invoked actor: an actor
 * of its own would cost each of thousands of peers about 1.5 KB.
 */
class Transport {
  private link?: SocketLink<unknown>;
  private socket?: net.Socket;
  private closed = false;

  constructor(private readonly input: PeerMachineInput) {}

  open(send: (event: PeerMachineEvent) => void): void {
    const { id, host, port, key, timeouts, createCodec, report } = this.input;
    const direction: Direction = this.input.socket ? 'inbound' : 'outbound';
    const codec = createCodec(direction);
    // Node lets only a dialled socket read into a buffer of ours (net.connect's onread).
    const sharedReads = direction === 'outbound' && codec.copiesInput === true;
    const ended = (f: LinkFailure) => {
      if (!this.closed) send({ type: 'transport.ended', reason: f.reason, detail: f.detail });
    };
    const connected = () => {
      if (this.closed) return;
      const socket = this.socket!;
      socket.removeListener('error', failedToConnect);
      this.link = new SocketLink(id, host, port, direction, socket, codec, report, ended, timeouts.stallMs, key, !sharedReads);
      send({ type: 'transport.connected', link: this.link });
    };
    const failedToConnect = (err: NodeJS.ErrnoException) => ended(socketFailure(err));
    try {
      if (this.input.socket) {
        this.socket = this.input.socket;
        queueMicrotask(connected);
      } else {
        const onread = {
          buffer: SHARED_READ_BUFFER,
          callback: (n: number, buffer: Uint8Array) => {
            this.link?.receive(buffer.subarray(0, n));
            return true;
          },
        };
        this.socket = sharedReads ? net.connect({ host, port, onread }) : net.connect({ host, port });
        this.socket.once('connect', connected);
        this.socket.once('error', failedToConnect);
      }
    } catch (err) {
      queueMicrotask(() => ended(socketFailure(err as NodeJS.ErrnoException)));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.link) this.link.close();
    else this.socket?.destroy();
  }
}

/**
 * The generic peer: connecting → handshaking → ready, ending in failed (typed reason) or closed (stopped).
 * It knows no protocol: the handshake and ready actors are supplied with `provide({ actors })`.
 */
export const peerMachine = setup({
  types: {
    context: {} as PeerContext,
    input: {} as PeerMachineInput,
    events: {} as PeerMachineEvent,
  },
  actors: {
    // Placeholders: every protocol provides both.
    handshake: fromCallback<PeerCommandEvent<unknown>, ProtocolActorInput<unknown, unknown>>(() => {}),
    ready: fromCallback<PeerCommandEvent<unknown>, ProtocolActorInput<unknown, unknown>>(() => {}),
  },
  delays: {
    connectTimeout: ({ context }) => context.timeouts.connectMs,
    handshakeTimeout: ({ context }) => context.timeouts.handshakeMs,
  },
  actions: {
    closeTransport: ({ context }) => context.transport.close(),
    setEnd: assign((_, params: { reason: FailureReason }) => ({ end: { reason: params.reason } })),
    reportState: ({ context }, params: { state: 'connecting' | 'handshaking' | 'ready' }) =>
      context.report(params.state === 'connecting' ? { type: 'state', state: 'connecting', direction: context.socket ? 'inbound' : 'outbound' } : { type: 'state', state: params.state }),
    reportEnd: ({ context }, params: { state: 'failed' | 'closed' }) =>
      context.report({ type: 'state', state: params.state, reason: context.end?.reason ?? 'stopped', detail: clip(context.end?.detail) }),
  },
}).createMachine({
  id: 'peer',
  context: ({ input }) => ({ ...input, transport: new Transport(input) }),
  entry: ({ context, self }) => context.transport.open((event) => self.send(event)),
  initial: 'connecting',
  on: {
    'transport.ended': { target: '.failed', actions: assign({ end: ({ event }) => ({ reason: event.reason, detail: event.detail }) }) },
    'peer.fail': { target: '.failed', actions: assign({ end: ({ event }) => ({ reason: event.reason, detail: event.detail }) }) },
    // A protocol actor that throws is our bug (or the protocol module's), never the peer's doing.
    'xstate.error.actor.protocol': { target: '.failed', actions: assign({ end: ({ event }) => internalFailure((event as { error?: unknown }).error) }) },
    stop: { target: '.closed', actions: { type: 'setEnd', params: { reason: 'stopped' } } },
  },
  states: {
    connecting: {
      entry: { type: 'reportState', params: { state: 'connecting' } },
      on: { 'transport.connected': { target: 'handshaking', actions: assign({ link: ({ event }) => event.link }) } },
      after: { connectTimeout: { target: 'failed', actions: { type: 'setEnd', params: { reason: 'timeout-connect' } } } },
    },
    handshaking: {
      entry: { type: 'reportState', params: { state: 'handshaking' } },
      invoke: {
        id: 'protocol',
        src: 'handshake',
        input: ({ context }: { context: PeerContext }) => ({ link: context.link as PeerLink<unknown>, config: context.config }),
      },
      on: {
        'handshake.done': {
          target: 'ready',
          actions: [assign({ info: ({ event }) => event.info }), ({ context, event }) => context.report({ type: 'handshake', info: event.info })],
        },
        // Commands reach the handshake too (a protocol may need the embedder's answer to finish it).
        'peer.command': { actions: sendTo('protocol', ({ event }) => event) },
      },
      after: { handshakeTimeout: { target: 'failed', actions: { type: 'setEnd', params: { reason: 'timeout-handshake' } } } },
    },
    ready: {
      entry: { type: 'reportState', params: { state: 'ready' } },
      invoke: {
        id: 'protocol',
        src: 'ready',
        input: ({ context }: { context: PeerContext }) => ({ link: context.link as PeerLink<unknown>, config: context.config, handshake: context.info }),
      },
      on: { 'peer.command': { actions: sendTo('protocol', ({ event }) => event) } },
    },
    failed: { type: 'final', entry: ['closeTransport', { type: 'reportEnd', params: { state: 'failed' } }] },
    closed: { type: 'final', entry: ['closeTransport', { type: 'reportEnd', params: { state: 'closed' } }] },
  },
  // How the peer ended is the machine's own output: whoever runs it reads it from the final snapshot.
  output: ({ context }): PeerEnd => ({
    state: context.end?.reason === 'stopped' || !context.end ? 'closed' : 'failed',
    reason: context.end?.reason ?? 'stopped',
    ...(context.end?.detail !== undefined && { detail: context.end.detail }),
  }),
});

/**
 * A failure's detail is for a person and often quotes the peer (a Hello with 10,000 capabilities made a
 * 170 kB one): it is cut at MAX_DETAIL_CHARS, so it stays bounded in every event, row and database.
 */
export const MAX_DETAIL_CHARS = 500;

function clip(detail: string | undefined): string | undefined {
  return detail === undefined || detail.length <= MAX_DETAIL_CHARS ? detail : `${detail.slice(0, MAX_DETAIL_CHARS - 1)}…`;
}

function internalFailure(error: unknown): LinkFailure {
  const e = error as { stack?: string; message?: string };
  return { reason: 'internal', detail: e?.message ?? String(error) };
}
