// The synthetic session of bench/stats-pipeline.ts, shared by the main thread and its worker.
import type { PeerEvent } from '../../packages/engine/src/events.js';

/** What the worker is told at start. */
export interface WorkerSetup {
  seed: number;
  peers: number;
  batch: number;
  poolEvents: number;
  /** Batches packed (EventPacker), or sent as PeerEvent arrays (structured clone). */
  packed: boolean;
}

/** Main thread → worker: more batches may be sent, or stop. */
export type ToWorker = { credit: number } | { stop: true };

export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGENTS = ['/Satoshi:27.0.0/', '/Satoshi:26.1.0/', '/Satoshi:25.0.0/', '/btcd:0.24.2/', '/bcoin:v1.0.2/'];

export class Session {
  private readonly r: () => number;
  private readonly ids: string[] = [];
  private readonly addresses: string[] = [];
  private generation = 0;
  at = Date.now();

  constructor(seed: number, private readonly peers: number) {
    this.r = random(seed);
    for (let i = 0; i < peers; i++) {
      this.ids.push(`p${i}`);
      this.addresses.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8333`);
    }
  }

  /** Every peer connects, handshakes and becomes ready. */
  prelude(): PeerEvent[] {
    const out: PeerEvent[] = [];
    for (let i = 0; i < this.peers; i++) out.push(...this.connect(i));
    return out;
  }

  private connect(i: number): PeerEvent[] {
    const base = { peer: this.ids[i], address: this.addresses[i], at: this.at };
    return [
      { ...base, type: 'state', state: 'connecting' },
      { ...base, type: 'state', state: 'handshaking' },
      { ...base, type: 'handshake', info: { version: 70016, userAgent: AGENTS[i % AGENTS.length], services: ['NETWORK', 'WITNESS'], startHeight: 840_000 + (i % 3) } },
      { ...base, type: 'state', state: 'ready' },
    ];
  }

  /**
   * The steady mix, as a worker reports it: what one socket read (or one timer) of one peer produced,
   * its events adjacent. A peer is picked at random among all of them for each read.
   */
  next(out: PeerEvent[]): void {
    const r = this.r;
    const i = Math.floor(r() * this.peers);
    const peer = this.ids[i];
    const address = this.addresses[i];
    const x = r();
    this.at += r() < 0.01 ? 1 : 0;
    const at = this.at;
    const msg = (dir: 'in' | 'out', command: string, bytes: number, count = 1): PeerEvent => ({ type: 'message', dir, command, bytes, count, peer, address, at });
    if (x < 0.35) out.push(msg('out', 'ping', 32)); // our ping timer
    else if (x < 0.7) out.push(msg('in', 'pong', 32), { type: 'rtt', ms: 0.2 + r() * 80, peer, address, at });
    else if (x < 0.8) out.push(msg('in', 'ping', 32), msg('out', 'pong', 32)); // theirs, answered
    else if (x < 0.9) {
      // an announcement: inv (sometimes two in one read), its counts, and our getdata
      const n = r() < 0.2 ? 2 : 1;
      out.push(msg('in', 'inv', 61 * n, n), { type: 'inv', counts: { tx: n }, peer, address, at });
      if (r() < 0.5) out.push(msg('out', 'getdata', 61));
    } else if (x < 0.95) out.push(msg('in', 'tx', 250 + Math.floor(r() * 500)));
    else if (x < 0.98) out.push(msg('in', 'headers', 106), { type: 'height', height: 840_000 + Math.floor(r() * 4), peer, address, at });
    else if (x < 0.995) {
      const n = 1 + Math.floor(r() * 10);
      const addresses = Array.from({ length: n }, () => `10.${200 + Math.floor(r() * 50)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}:8333`);
      out.push(msg('in', 'addr', 3 + 30 * n), { type: 'addresses', addresses, peer, address, at });
    } else if (x < 0.997) {
      // The peer fails; a new connection takes its place.
      out.push({ type: 'state', state: 'failed', reason: 'reset', peer, address, at });
      this.ids[i] = `p${i}.${++this.generation}`;
      out.push(...this.connect(i));
    } else out.push(msg('out', 'getaddr', 24));
  }

  pool(count: number): PeerEvent[] {
    const out: PeerEvent[] = [];
    while (out.length < count) this.next(out);
    return out;
  }
}
