import type { PeerEvent } from './events.js';

/**
 * Crossing a thread costs ~2 µs a postMessage: events are sent in batches, one per turn of the event
 * loop (setImmediate runs after all ready sockets were read, so a busy worker sends big batches).
 */
export class EventBatcher {
  private batch: PeerEvent[] = [];
  private scheduled = false;

  constructor(private readonly send: (events: PeerEvent[]) => void) {}

  push = (event: PeerEvent): void => {
    this.batch.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  };

  flush = (): void => {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.send(batch);
  };
}

/**
 * A batch of events packed to cross a thread cheaply. Structured clone rebuilds every object and every
 * string of every event on the receiving thread (about half a microsecond an event, on the main thread
 * that all workers share). Packed, the frequent events (message, rtt, height) are numbers in one
 * Float64Array, their strings (peer ids, addresses, commands) indices into a table the two ends keep
 * for the life of the channel: a string crosses once, and the receiver hands out the same string
 * object every time (hashed once, an interned property key in the stats' tables). Every other event
 * crosses as itself, in `others`.
 *
 * Packer and unpacker are a pair, one per channel, and batches must be unpacked in the order they were
 * packed (a MessagePort keeps order).
 */
export interface PackedEvents {
  /** The receiver forgets its string table before reading this batch (the sender's grew too big). */
  reset: boolean;
  /** Strings new to the table, in the order of their indices. */
  strings: string[];
  /** RECORD numbers per event, in order; see EventPacker. */
  numbers: Float64Array;
  /** The events not packed into numbers, in order (one per OTHER record). */
  others: PeerEvent[];
}

/** Numbers per event: kind, peer, address, at, then three that depend on the kind. */
const RECORD = 7;
const MESSAGE_IN = 0;
const MESSAGE_OUT = 1;
const RTT = 2;
const HEIGHT = 3;
const OTHER = 4;

/** Strings a table holds before both ends start a new one (ids of ended peers would pile up). */
export const MAX_TABLE_STRINGS = 100_000;

/** The sending end: packs a worker's batches (one per turn, see EventBatcher). */
export class EventPacker {
  private readonly index = new Map<string, number>();
  private fresh: string[] = [];

  constructor(private readonly maxStrings = MAX_TABLE_STRINGS) {}

  pack(events: readonly PeerEvent[]): PackedEvents {
    const reset = this.index.size > this.maxStrings;
    if (reset) this.index.clear();
    const numbers = new Float64Array(events.length * RECORD);
    const others: PeerEvent[] = [];
    for (let i = 0, o = 0; i < events.length; i++, o += RECORD) {
      const e = events[i];
      switch (e.type) {
        case 'message':
          numbers[o] = e.dir === 'in' ? MESSAGE_IN : MESSAGE_OUT;
          numbers[o + 4] = this.code(e.command);
          numbers[o + 5] = e.bytes;
          numbers[o + 6] = e.count;
          break;
        case 'rtt':
          numbers[o] = RTT;
          numbers[o + 4] = e.ms;
          break;
        case 'height':
          numbers[o] = HEIGHT;
          numbers[o + 4] = e.height;
          break;
        default:
          numbers[o] = OTHER;
          others.push(e);
          continue;
      }
      numbers[o + 1] = this.code(e.peer);
      numbers[o + 2] = this.code(e.address);
      numbers[o + 3] = e.at;
    }
    const strings = this.fresh;
    this.fresh = [];
    return { reset, strings, numbers, others };
  }

  private code(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(s, i);
      this.fresh.push(s);
    }
    return i;
  }
}

/** The receiving end: rebuilds the events, in order, as plain PeerEvent objects. */
export class EventUnpacker {
  private table: string[] = [];

  unpack(packed: PackedEvents): PeerEvent[] {
    if (packed.reset) this.table = [];
    const t = this.table;
    for (const s of packed.strings) t.push(s);
    const { numbers, others } = packed;
    const events = new Array<PeerEvent>(numbers.length / RECORD);
    let other = 0;
    for (let i = 0, o = 0; o < numbers.length; i++, o += RECORD) {
      const kind = numbers[o];
      // Literals with the fields in the order the engine stamps them ({...body, peer, address, at}):
      // one shape per kind, as events made on this thread have. Counts and sizes come back as small
      // integers (`| 0`; each is under 2^31): read from a Float64Array they would be doubles, and the
      // stats fields they are added to would then hold every value boxed, 16 bytes apiece.
      switch (kind) {
        case MESSAGE_IN:
        case MESSAGE_OUT:
          events[i] = {
            type: 'message', dir: kind === MESSAGE_IN ? 'in' : 'out', command: t[numbers[o + 4]], bytes: numbers[o + 5] | 0, count: numbers[o + 6] | 0,
            peer: t[numbers[o + 1]], address: t[numbers[o + 2]], at: numbers[o + 3],
          };
          break;
        case RTT:
          events[i] = { type: 'rtt', ms: numbers[o + 4], peer: t[numbers[o + 1]], address: t[numbers[o + 2]], at: numbers[o + 3] };
          break;
        case HEIGHT:
          events[i] = { type: 'height', height: numbers[o + 4] | 0, peer: t[numbers[o + 1]], address: t[numbers[o + 2]], at: numbers[o + 3] };
          break;
        default:
          events[i] = others[other++];
      }
    }
    return events;
  }
}
