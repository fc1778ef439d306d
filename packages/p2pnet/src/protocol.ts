import { fromCallback } from 'xstate';
import type { PeerCommandEvent, Protocol, ProtocolActorEvent, ProtocolActorInput } from '@peerscope/engine/protocol';
import { P2pCodec, type Framing, type P2pWire } from './codec.js';
import { CompressionError } from './compression.js';
import { packetContent, type Payload } from './message.js';
import { COMPRESSED_MARK, MAX_DECODE_BACKLOG_BYTES, MAX_DECODE_BACKLOG_PACKETS } from './limits.js';

/**
 * What a p2pnet connection needs to know about the node that owns it. Plain data: connections run on
 * an executor, possibly in a worker thread, and the config crosses to it by structured clone.
 */
export interface P2pConfig {
  /** Our node id, sent in the handshake. */
  id: string;
  /** Our listening port, sent as `id:port` when we dial. */
  port: number;
  framing: Framing;
  maxMessageSize: number;
  /** Acceptor: how long the first message waits behind the id reply (see DEFAULT_HANDSHAKE_SETTLE_MS). */
  settleMs: number;
  /** See DEFAULT_SLOW_MESSAGE_MS. */
  slowMessageMs?: number;
}

/** The data of a 'decode-error' app event: a packet dropped, and why. */
export interface DecodeError {
  message: string;
  reason: CompressionError['reason'];
}

/**
 * The data of an 'admit' app event: the remote node's id and listening port, learnt in the handshake.
 * The handshake then waits for the node's verdict, an `admit` command.
 */
export interface AdmitRequest {
  id: string;
  port: number;
}

/**
 * What the node answers an 'admit' event with: go on, or refuse (a connection to ourselves, a second one
 * to that node, or one over the node's connection limits: 'flood').
 */
export type Verdict = 'admit' | 'self-connection' | 'duplicate' | 'flood';

/** Commands a p2pnet peer accepts through PeerHandle.command(). */
export type P2pCommand =
  | { type: 'admit'; verdict: Verdict; detail?: string }
  | { type: 'send'; payloads: readonly Payload[] };

/** What p2pnetwork sends before closing a connection it refuses (a self or duplicate connection). */
const CLOSING = new TextEncoder().encode('CLOSING: Already having a connection together');

type Input = ProtocolActorInput<P2pWire, P2pConfig>;

/**
 * The id exchange. Dialer: send `id:port`, wait for the bare id. Acceptor: read `id[:port]`, reply the
 * bare id. Then the node decides whether to keep the connection: only it knows its other connections,
 * and it may run on another thread, so the question goes out as an 'admit' event and the answer comes
 * back as a command. p2pnetwork checks for itself and for duplicates only on the dialing side; we check
 * on both.
 */
const handshake = fromCallback<PeerCommandEvent<P2pCommand>, Input>(({ input, sendBack, receive }) => {
  const { link, config } = input;
  const send = (e: ProtocolActorEvent) => sendBack(e);
  let remote: AdmitRequest | undefined;
  let admitted = false;
  let settle: NodeJS.Timeout | undefined;
  const done = () => {
    if (remote) send({ type: 'handshake.done', info: { details: { id: remote.id, port: remote.port } } });
  };
  link.onMessage((message) => {
    if (message.kind !== 'hello') return;
    link.onMessage(null);
    // Ids are shown to people and written to logs: control characters (terminal escapes) are refused.
    if (CONTROL_CHARACTERS.test(message.id)) {
      send({ type: 'peer.fail', reason: 'malformed', detail: 'handshake: the node id contains control characters' });
      return;
    }
    remote = { id: message.id, port: link.direction === 'inbound' ? (message.port ?? link.port) : link.port };
    // The acceptor replies only once the node has admitted the connection: a refused one (over
    // maxConnections, say) is closed without a word, as p2pnetwork closes one over its max_connections.
    link.report({ type: 'app', name: 'admit', data: remote });
  });
  receive((event) => {
    const command = event.command;
    if (command?.type !== 'admit' || !remote || admitted) return;
    if (command.verdict === 'admit') {
      admitted = true;
      if (link.direction === 'outbound') return done();
      link.send({ kind: 'hello', id: config.id });
      if (config.settleMs > 0) settle = setTimeout(done, config.settleMs);
      else done();
      return;
    }
    // p2pnetwork's dialer says why before closing; its acceptor never refuses, so it has no words for it.
    if (link.direction === 'outbound') link.write(CLOSING, 'closing');
    send({ type: 'peer.fail', reason: command.verdict, detail: command.detail ?? `node ${short(remote.id)}` });
  });
  if (link.direction === 'outbound') link.send({ kind: 'hello', id: config.id, port: config.port });
  return () => clearTimeout(settle);
});

/** C0 and C1 control characters (ESC starts a terminal escape sequence), DEL, and bidi overrides. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * While ready: every packet is decompressed and decoded to text (or bytes) as p2pnetwork does and
 * handed to the node in `app` events named 'messages' (the contents from one read, in order; the node
 * parses the JSON, see messageValue) or 'decode-error'; a `send` command's payloads leave in one write.
 *
 * Compressed packets are decoded one at a time, in order, with a turn of the event loop after each:
 * one connection never has two decompressions running (liblzma's would all run at once on libuv's
 * threads, each holding up to the size limit), a synchronous bzip2 decode never runs back to back with
 * the next one (other connections, stop commands and signals get their turn), and the packets waiting
 * are bounded (MAX_DECODE_BACKLOG_*: a peer sending faster than we decode is a flood).
 */
const ready = fromCallback<PeerCommandEvent<P2pCommand>, Input>(({ input, receive, sendBack }) => {
  const { link, config } = input;
  // Everything decoded from one read goes to the node as one 'messages' event (a report per message
  // costs more than decoding it).
  let batch: Payload[] | undefined;
  const deliver = (data: Payload) => {
    if (stopped) return;
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
    if (stopped) return;
    const reason = err instanceof CompressionError ? err.reason : 'malformed';
    link.report({ type: 'app', name: 'decode-error', data: { message: String((err as Error)?.message ?? err), reason } satisfies DecodeError });
  };
  const backlog: Uint8Array[] = [];
  let backlogBytes = 0;
  let decoding = false;
  let stopped = false;
  const decodeBacklog = async () => {
    decoding = true;
    while (backlog.length > 0 && !stopped) {
      const packet = backlog.shift()!;
      backlogBytes -= packet.length;
      const compressed = isCompressed(packet);
      try {
        const value = packetContent(packet, config.maxMessageSize);
        deliver(value instanceof Promise ? await value : value);
      } catch (err) {
        failed(err);
      }
      if (compressed) await new Promise<void>((r) => setImmediate(r));
    }
    decoding = false;
  };
  link.onMessage((message) => {
    if (message.kind !== 'packet' || stopped) return;
    const packet = message.payload;
    if (!decoding && !isCompressed(packet)) {
      try {
        return deliver(packetContent(packet, config.maxMessageSize) as Payload);
      } catch (err) {
        return failed(err);
      }
    }
    backlog.push(packet);
    backlogBytes += packet.length;
    if (backlogBytes > MAX_DECODE_BACKLOG_BYTES || backlog.length > MAX_DECODE_BACKLOG_PACKETS) {
      stopped = true;
      backlog.length = 0;
      sendBack({ type: 'peer.fail', reason: 'flood', detail: `over ${MAX_DECODE_BACKLOG_BYTES} bytes or ${MAX_DECODE_BACKLOG_PACKETS} packets waiting to be decompressed` });
      return;
    }
    if (!decoding) void decodeBacklog();
  });
  receive((event) => {
    if (event.command?.type === 'send') link.send({ kind: 'packets', payloads: event.command.payloads });
  });
  return () => {
    stopped = true;
    backlog.length = 0;
    link.onMessage(null);
  };
});

function isCompressed(packet: Uint8Array): boolean {
  return packet.length > 0 && packet[packet.length - 1] === COMPRESSED_MARK && packet.indexOf(COMPRESSED_MARK) === packet.length - 1;
}

function short(id: string): string {
  return id.length > 16 ? `${id.slice(0, 16)}…` : id;
}

export const p2pnetProtocol: Protocol<P2pWire, P2pConfig, P2pCommand> = {
  name: 'p2pnet',
  failures: {},
  createCodec: (config, direction) => new P2pCodec(direction, { framing: config.framing, maxMessageSize: config.maxMessageSize, slowMessageMs: config.slowMessageMs }),
  handshake,
  ready,
};

export default p2pnetProtocol;

/**
 * Module specifier executors load this protocol by: the .ts source when running from sources (workers
 * get no tsx ESM hook on Node 20, so the engine loads a .ts module through require), else the build.
 */
export const protocolModule = new URL(import.meta.url.endsWith('.ts') ? './protocol.ts' : './protocol.js', import.meta.url).href;

