import { fromCallback } from 'xstate';
import type { Direction, PeerCommandEvent, Protocol, ProtocolActorEvent, ProtocolActorInput } from '@peerscope/engine/protocol';
import type { FailureReason } from '@peerscope/engine';
import { P2pCodec, type Framing, type P2pWire } from './codec.js';
import { CompressionError } from './compression.js';
import { decodePacket } from './message.js';

/** What a p2pnet connection needs to know about the node that owns it. */
export interface P2pConfig {
  /** Our node id, sent in the handshake. */
  id: string;
  /** Our listening port, sent as `id:port` when we dial. */
  port: number;
  framing: Framing;
  maxMessageSize: number;
  /** Acceptor: how long the first message waits behind the id reply (see DEFAULT_HANDSHAKE_SETTLE_MS). */
  settleMs: number;
  /**
   * Asked once the remote id is known: null admits the peer. The node uses it to refuse a second
   * connection to a node it is already connected with. Runs in-process (the node runs its peers itself).
   */
  admit?(remote: { id: string; port: number; direction: Direction }): 'self-connection' | 'duplicate' | null;
}

/** The data of a 'decode-error' app event: a packet dropped, and why. */
export interface DecodeError {
  message: string;
  reason: CompressionError['reason'];
}

/** Commands the session accepts through PeerRun.command(). */
export type P2pCommand = { type: 'send'; payloads: readonly Uint8Array[] };

/** What p2pnetwork sends before closing a connection it refuses (a self or duplicate connection). */
const CLOSING = new TextEncoder().encode('CLOSING: Already having a connection together');

type Input = ProtocolActorInput<P2pWire, P2pConfig>;

/**
 * The id exchange. Dialer: send `id:port`, wait for the bare id. Acceptor: read `id[:port]`, reply the
 * bare id. p2pnetwork checks for itself and for duplicates only on the dialing side; we check on both.
 */
const handshake = fromCallback<PeerCommandEvent<P2pCommand>, Input>(({ input, sendBack }) => {
  const { link, config } = input;
  const send = (e: ProtocolActorEvent) => sendBack(e);
  let settle: NodeJS.Timeout | undefined;
  const refuse = (reason: 'self-connection' | 'duplicate', remoteId: string) => {
    if (link.direction === 'outbound') link.write(CLOSING, 'closing');
    send({ type: 'peer.fail', reason, detail: `node ${short(remoteId)}` });
  };
  link.onMessage((message) => {
    if (message.kind !== 'hello') return;
    link.onMessage(null);
    const remotePort = link.direction === 'inbound' ? (message.port ?? link.port) : link.port;
    if (link.direction === 'inbound') link.send({ kind: 'hello', id: config.id });
    if (message.id === config.id) return refuse('self-connection', message.id);
    const refused = config.admit?.({ id: message.id, port: remotePort, direction: link.direction }) ?? null;
    if (refused) return refuse(refused, message.id);
    const done = () => send({ type: 'handshake.done', info: { details: { id: message.id, port: remotePort } } });
    if (link.direction === 'inbound' && config.settleMs > 0) settle = setTimeout(done, config.settleMs);
    else done();
  });
  if (link.direction === 'outbound') link.send({ kind: 'hello', id: config.id, port: config.port });
  return () => clearTimeout(settle);
});

/**
 * While ready: every packet is decoded as p2pnetwork does and handed to the node in `app` events
 * named 'messages' (the values decoded from one read, in order) or 'decode-error'; `send` commands go out as one write per batch.
 */
const ready = fromCallback<PeerCommandEvent<P2pCommand>, Input>(({ input, receive }) => {
  const { link, config } = input;
  // lzma decoding is asynchronous: later messages wait for it, so the order on the wire is kept.
  let chain: Promise<void> | undefined;
  // Everything decoded from one read goes to the node as one 'messages' event (a report per message
  // costs more than decoding it).
  let batch: unknown[] | undefined;
  const deliver = (data: unknown) => {
    if (batch) return void batch.push(data);
    batch = [data];
    queueMicrotask(() => {
      const values = batch!;
      batch = undefined;
      link.report({ type: 'app', name: 'messages', data: values });
    });
  };
  // A packet we cannot decode is dropped and reported; the connection goes on (as p2pnetwork counts
  // message_count_rerr and reads on).
  const failed = (err: unknown) => {
    const reason = err instanceof CompressionError ? err.reason : 'malformed';
    link.report({ type: 'app', name: 'decode-error', data: { message: String((err as Error)?.message ?? err), reason } satisfies DecodeError });
  };
  link.onMessage((message) => {
    if (message.kind !== 'packet') return;
    let value: unknown;
    try {
      value = decodePacket(message.payload, config.maxMessageSize);
    } catch (err) {
      if (chain) chain = chain.then(() => failed(err));
      else failed(err);
      return;
    }
    if (!chain && !(value instanceof Promise)) return deliver(value);
    const mine: Promise<void> = (chain ?? Promise.resolve())
      .then(() => value)
      .then(deliver, failed)
      .then(() => {
        if (chain === mine) chain = undefined;
      });
    chain = mine;
  });
  receive((event) => {
    if (event.type === 'peer.command' && event.command?.type === 'send') link.send({ kind: 'packets', payloads: event.command.payloads });
  });
  return () => link.onMessage(null);
});

function short(id: string): string {
  return id.length > 16 ? `${id.slice(0, 16)}…` : id;
}

export const p2pnetProtocol: Protocol<P2pWire, P2pConfig, P2pCommand> = {
  name: 'p2pnet',
  failures: {},
  createCodec: (config, direction) => new P2pCodec(direction, { framing: config.framing, maxMessageSize: config.maxMessageSize }),
  handshake,
  ready,
};

export default p2pnetProtocol;

