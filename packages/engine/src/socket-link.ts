import type net from 'node:net';
import type { FailureReason, PeerEventBody } from './events.js';
import type { Decoded, Direction, PeerLink, WireCodec } from './protocol.js';
import { formatAddress } from './address.js';

/** Messages held while no protocol actor listens (between the handshake and ready actors). More is a flood. */
export const MAX_QUEUED_MESSAGES = 10_000;

/**
 * Bytes we may have queued for a peer that does not read (answers to its pings, say), beyond the message
 * being written: a single message may be larger (p2pnet allows 16 MiB). Past this a small write is a
 * flood at once (many small queued writes cost far more memory than their bytes: ~0.5 KB each), and a
 * large one (a big message, LARGE_WRITE_BYTES or more) may go on while the peer keeps taking bytes, up
 * to MAX_UNSENT_HARD_BYTES; a peer that takes none for the stall time (`stallMs`) is failed as a flood.
 */
export const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** Queued for one peer beyond the message being written, reading or not: past this it is a flood at once (four 16 MiB messages). */
export const MAX_UNSENT_HARD_BYTES = 64 * 1024 * 1024;
/**
 * Writes queued unsent for one peer, however small: each costs far more than its bytes (~0.8 KB of
 * bookkeeping), so 8 MiB of 32-byte pongs to a peer that floods pings and never reads would hold about
 * 200 MB before the byte cap noticed.
 */
export const MAX_QUEUED_WRITES = 20_000;

/** A write this large is a big message, not one of a stream of small answers. */
export const LARGE_WRITE_BYTES = 64 * 1024;

/**
 * An unfinished message still arriving after the stall time must come at least this fast (bytes per
 * second, averaged since it began); slower is a slowloris trickle, failed as 'timeout-stall'. A byte
 * every 200 ms would otherwise hold a connection and its buffer forever, each byte restarting the clock.
 */
export const MIN_TRICKLE_BYTES_PER_S = 1024;

/** How long a closing connection may take to flush its last bytes. */
export const FLUSH_MS = 1_000;

export interface LinkFailure {
  reason: FailureReason;
  detail?: string;
}

/**
 * A connected socket with its codec: decodes what arrives, hands messages to the current handler,
 * reports traffic, and turns every way a connection can break into one typed failure.
 */
export class SocketLink<Msg> implements PeerLink<Msg> {
  readonly address: string;
  private handler: ((message: Msg) => void) | null = null;
  private readonly queue: Msg[] = [];
  private stallTimer: NodeJS.Timeout | undefined;
  private lastDataAt = 0;
  /** Since when a message has been unfinished (0: none is), and the bytes received since. */
  private pendingSince = 0;
  private pendingBytes = 0;
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.socket.uncork();
  };
  private ended = false;
  /** Bytes the kernel has taken (written minus still queued), and when that last grew. */
  private drained = 0;
  /** Writes since our send queue was last empty. */
  private queuedWrites = 0;
  private drainedAt = performance.now();
  private sendTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly host: string,
    readonly port: number,
    readonly direction: Direction,
    private readonly socket: net.Socket,
    private readonly codec: WireCodec<Msg>,
    readonly report: (event: PeerEventBody) => void,
    private readonly onEnd: (failure: LinkFailure) => void,
    private readonly stallMs: number,
    readonly key?: string,
    /** False when the socket reads into a buffer of the caller's, which then calls receive(). */
    listenForData = true,
  ) {
    this.address = formatAddress(host, port);
    socket.setNoDelay(true);
    if (listenForData) socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => this.end(socketFailure(err)));
    socket.on('end', () => this.end({ reason: 'closed-by-peer' }));
    socket.on('close', () => this.end({ reason: 'closed-by-peer' }));
  }

  send(message: Msg): void {
    if (this.ended) return;
    const { command, bytes } = this.codec.encode(message);
    this.write(bytes, command);
  }

  write(bytes: Uint8Array, command?: string): void {
    if (this.ended) return;
    // Messages written in one turn (version, sendaddrv2, verack…) leave in one writev, not a syscall each.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    const before = this.socket.writableLength;
    this.socket.write(bytes);
    if (before > MAX_UNSENT_BYTES && this.sendStalled(before, bytes.length)) return;
    // Counted since the queue was last empty: a peer that never reads while we keep answering it.
    this.queuedWrites = before === 0 ? 1 : this.queuedWrites + 1;
    if (this.queuedWrites > MAX_QUEUED_WRITES) {
      this.end({ reason: 'flood', detail: `peer is not reading: ${this.queuedWrites} messages queued unsent` });
      return;
    }
    if (command !== undefined) this.report({ type: 'message', dir: 'out', command, bytes: bytes.length, count: 1 });
  }

  /**
   * More than MAX_UNSENT_BYTES were queued before this write. A flood if over the hard cap, or if the
   * peer took nothing for the stall time; otherwise a timer keeps watching while the backlog lasts.
   */
  private sendStalled(queued: number, size: number): boolean {
    const idle = this.noteDrain();
    if (queued > MAX_UNSENT_HARD_BYTES) {
      this.end({ reason: 'flood', detail: `peer is not reading fast enough: over ${MAX_UNSENT_HARD_BYTES} bytes unsent` });
      return true;
    }
    if (size < LARGE_WRITE_BYTES) {
      this.end({ reason: 'flood', detail: `peer is not reading: over ${MAX_UNSENT_BYTES} bytes unsent` });
      return true;
    }
    if (idle >= this.stallMs) {
      this.end({ reason: 'flood', detail: `peer is not reading: ${queued} bytes unsent, none taken for ${Math.round(idle)} ms` });
      return true;
    }
    this.sendTimer ??= setTimeout(this.checkSend, this.stallMs - idle);
    return false;
  }

  /** Updates the drain progress; returns ms since the peer last took bytes. */
  private noteDrain(): number {
    // What the kernel took: bytes handed to libuv minus those it still queues (node's own counters; a
    // big write is one chunk in writableLength until all of it is taken, so that alone shows no progress).
    const internals = this.socket as net.Socket & { _bytesDispatched?: number; _handle?: { writeQueueSize?: number } | null };
    const drained = internals._bytesDispatched !== undefined
      ? internals._bytesDispatched - (internals._handle?.writeQueueSize ?? 0)
      : this.socket.bytesWritten - this.socket.writableLength;
    const now = performance.now();
    if (drained > this.drained || this.socket.writableLength === 0) {
      this.drained = drained;
      this.drainedAt = now;
    }
    return now - this.drainedAt;
  }

  private readonly checkSend = (): void => {
    this.sendTimer = undefined;
    if (this.ended) return;
    const queued = this.socket.writableLength;
    if (queued > MAX_UNSENT_BYTES) this.sendStalled(queued, Infinity);
    else this.noteDrain();
  };

  onMessage(handler: ((message: Msg) => void) | null): void {
    this.handler = handler;
    // Drain in order; a handler may hand over to another mid-drain (handshake done → ready).
    while (this.handler && this.queue.length > 0 && !this.ended) this.handler(this.queue.shift()!);
  }

  /**
   * Close from our side; no failure is reported for it. What we queued last (a Disconnect reason, a
   * p2pnetwork CLOSING line) is flushed first, but a peer that does not read gets FLUSH_MS, no more.
   */
  close(): void {
    this.ended = true;
    clearTimeout(this.stallTimer);
    clearTimeout(this.sendTimer);
    const socket = this.socket;
    if (socket.destroyed) return;
    socket.removeAllListeners('data');
    if (socket.writableLength === 0 || socket.writableLength > MAX_UNSENT_BYTES) return void socket.destroy();
    socket.end();
    setTimeout(() => socket.destroy(), FLUSH_MS).unref();
  }

  /** Bytes from the socket. The chunk may be reused once this returns (see WireCodec.copiesInput). */
  receive(chunk: Uint8Array): void {
    if (this.ended) return;
    this.lastDataAt = performance.now();
    let decoded: Decoded<Msg>[];
    try {
      decoded = this.codec.decode(chunk);
    } catch (err) {
      this.end(protocolFailure(err));
      return;
    }
    this.reportTraffic(decoded);
    this.notePending(chunk.length);
    for (const { message } of decoded) {
      if (this.ended) return;
      try {
        if (this.handler && this.queue.length === 0) this.handler(message);
        else if (this.queue.push(message) > MAX_QUEUED_MESSAGES) {
          this.end({ reason: 'flood', detail: `more than ${MAX_QUEUED_MESSAGES} messages queued` });
        }
      } catch (err) {
        this.end(protocolFailure(err));
      }
    }
  }

  /**
   * While a message is unfinished, one timer watches it (not one per read: a trickling peer would
   * restart it with every byte); it is dropped as soon as nothing is pending.
   */
  private notePending(bytes: number): void {
    if ((this.codec.pending?.() ?? 0) === 0) {
      this.pendingSince = 0;
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      return;
    }
    if (this.pendingSince === 0) {
      this.pendingSince = this.lastDataAt;
      this.pendingBytes = 0;
    }
    this.pendingBytes += bytes;
    this.stallTimer ??= setTimeout(this.checkStall, this.stallMs);
  }

  /**
   * One traffic event per command per read, not per message: a busy peer delivers hundreds of
   * messages a read, and each event costs an allocation here and a share of a postMessage.
   */
  private reportTraffic(decoded: Decoded<Msg>[]): void {
    if (decoded.length === 1) {
      this.report({ type: 'message', dir: 'in', command: decoded[0].command, bytes: decoded[0].size, count: 1 });
      return;
    }
    const byCommand = new Map<string, { bytes: number; count: number }>();
    for (const { command, size } of decoded) {
      const t = byCommand.get(command);
      if (t) {
        t.bytes += size;
        t.count++;
      } else byCommand.set(command, { bytes: size, count: 1 });
    }
    for (const [command, t] of byCommand) this.report({ type: 'message', dir: 'in', command, bytes: t.bytes, count: t.count });
  }

  /**
   * Timers run before the event loop polls sockets: if this thread was busy, the peer's next bytes may
   * be waiting unread. Let one poll happen (setImmediate) before blaming the peer.
   */
  private readonly checkStall = (): void => {
    setImmediate(() => {
      this.stallTimer = undefined;
      if (this.ended) return;
      const pending = this.codec.pending?.() ?? 0;
      if (pending === 0) return;
      const now = performance.now();
      const idle = now - this.lastDataAt;
      if (idle >= this.stallMs) {
        return this.end({ reason: 'timeout-stall', detail: `${pending} bytes of an unfinished message, nothing more for ${Math.round(idle)} ms` });
      }
      const elapsed = now - this.pendingSince;
      const rate = (this.pendingBytes * 1000) / elapsed;
      if (elapsed >= this.stallMs && rate < MIN_TRICKLE_BYTES_PER_S) {
        return this.end({ reason: 'timeout-stall', detail: `trickle: ${this.pendingBytes} bytes in ${Math.round(elapsed)} ms of an unfinished message (under ${MIN_TRICKLE_BYTES_PER_S} B/s)` });
      }
      this.stallTimer = setTimeout(this.checkStall, Math.max(1, this.stallMs - idle));
    });
  };

  private end(failure: LinkFailure): void {
    if (this.ended) return;
    this.close();
    // A peer failed for not reading gets no chance to flush: what we queued for it is dropped now.
    if (failure.reason === 'flood') this.socket.destroy();
    this.onEnd(failure);
  }
}

/**
 * Errors thrown by decoders and protocol handlers: a ProtocolError is the peer's doing; anything else
 * is a bug of ours and says so ('internal'). Duck-typed: workers may load a second copy of the engine.
 */
export function protocolFailure(err: unknown): LinkFailure {
  const e = err as { name?: string; reason?: FailureReason; message?: string };
  if (e && e.name === 'ProtocolError' && e.reason) return { reason: e.reason, detail: e.message };
  return { reason: 'internal', detail: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}` };
}

export function socketFailure(err: NodeJS.ErrnoException): LinkFailure {
  const detail = err.code ? `${err.code}: ${err.message}` : err.message;
  switch (err.code) {
    case 'ECONNREFUSED':
      return { reason: 'refused', detail };
    case 'ETIMEDOUT':
      return { reason: 'timeout-connect', detail };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return { reason: 'reset', detail };
    default:
      return { reason: 'unreachable', detail };
  }
}
