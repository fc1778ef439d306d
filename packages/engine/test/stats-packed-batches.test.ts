// Packed event batches (EventPacker → EventUnpacker): what crosses from a worker to the stats pipeline.
import { describe, expect, it } from 'vitest';
import { EventPacker, EventUnpacker } from '../src/event-batcher.js';
import { StatsCollector, type PeerEvent } from '../src/index.js';

const base = (i: number, at: number) => ({ peer: `p${i}`, address: `127.0.0.${i}:8333`, at });

function mixed(n: number): PeerEvent[] {
  const out: PeerEvent[] = [];
  for (let k = 0; k < n; k++) {
    const b = base(k % 37, 1_700_000_000_000 + k * 0.5);
    switch (k % 9) {
      case 0:
        out.push({ type: 'state', state: 'connecting', direction: 'inbound', ...b });
        break;
      case 1:
        out.push({ type: 'handshake', info: { version: 70016, userAgent: '/x:1/', services: ['NETWORK'], startHeight: 9, details: { relay: false } }, ...b });
        break;
      case 2:
        out.push({ type: 'rtt', ms: 0.123456789 * k, ...b });
        break;
      case 3:
        out.push({ type: 'height', height: 840_000 + k, ...b });
        break;
      case 4:
        out.push({ type: 'addresses', addresses: ['10.0.0.1:8333', 'k@[::1]:30303'], ...b });
        break;
      case 5:
        out.push({ type: 'inv', counts: { tx: 3, block: 1 }, ...b });
        break;
      case 6:
        out.push({ type: 'app', name: 'reject', data: { code: 16, reason: 'bad-txns' }, ...b });
        break;
      default:
        out.push({ type: 'message', dir: k % 2 ? 'in' : 'out', command: ['ping', 'pong', 'inv', '__proto__'][k % 4], bytes: 32 + k, count: 1 + (k % 3), ...b });
    }
  }
  return out;
}

/** As a MessagePort would carry it: a structured clone. */
const cross = <T>(value: T): T => structuredClone(value);

describe('packed event batches', () => {
  it('unpack gives back every event, in order, equal to what was packed', () => {
    const events = mixed(500);
    const packer = new EventPacker();
    const unpacker = new EventUnpacker();
    const out: PeerEvent[] = [];
    for (let i = 0; i < events.length; i += 64) out.push(...unpacker.unpack(cross(packer.pack(events.slice(i, i + 64)))));
    expect(out).toEqual(events);
  });

  it('sends each string once per channel; the receiver hands out one string object per value', () => {
    const packer = new EventPacker();
    const unpacker = new EventUnpacker();
    const msg = (i: number): PeerEvent => ({ type: 'message', dir: 'in', command: 'inv', bytes: 61, count: 1, ...base(i, 5) });
    const first = packer.pack([msg(1), msg(2), msg(1)]);
    expect(first.strings).toEqual(['inv', 'p1', '127.0.0.1:8333', 'p2', '127.0.0.2:8333']);
    const a = unpacker.unpack(cross(first));
    const second = packer.pack([msg(2), msg(3)]);
    expect(second.strings).toEqual(['p3', '127.0.0.3:8333']);
    expect(second.others).toEqual([]);
    const b = unpacker.unpack(cross(second));
    expect(b[0]).toEqual(msg(2));
    expect(b[1]).toEqual(msg(3));
    expect(Object.keys(b[0])).toEqual(Object.keys(msg(2))); // the engine's field order: one shape
  });

  it('starts a new table past its bound, on both ends at the same batch', () => {
    const packer = new EventPacker(10);
    const unpacker = new EventUnpacker();
    const events = mixed(400);
    const out: PeerEvent[] = [];
    let resets = 0;
    for (let i = 0; i < events.length; i += 16) {
      const packed = cross(packer.pack(events.slice(i, i + 16)));
      if (packed.reset) resets++;
      out.push(...unpacker.unpack(packed));
    }
    expect(resets).toBeGreaterThan(3);
    expect(out).toEqual(events);
  });

  it('the stats of unpacked batches are the stats of the original events', () => {
    const events = mixed(2_000);
    const packer = new EventPacker(50);
    const unpacker = new EventUnpacker();
    const c = new StatsCollector();
    for (let i = 0; i < events.length; i += 100) c.applyBatch(unpacker.unpack(cross(packer.pack(events.slice(i, i + 100)))));
    const want = new StatsCollector().applyBatch(events);
    expect(Object.fromEntries(c.peers)).toEqual(Object.fromEntries(want.peers));
    expect(c.totals).toEqual(want.totals);
  });
});
