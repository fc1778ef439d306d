// scanGossip (a crawl's allocation-free read of addr/addrv2) against the decoders: the same addresses
// from valid payloads, and a malformed error exactly when the decoder has one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@peerscope/engine/protocol';
import { decodePayload, encodePayload, gossipHost, scanGossip, type AddrV2Message, type BitcoinMessage } from '../src/wire/index.js';
import { messages } from './arbitraries.js';

const scanned = (command: 'addr' | 'addrv2', payload: Uint8Array) => {
  const out: string[] = [];
  const count = scanGossip(command, payload, (network, buf, at, size, port) => out.push(`${gossipHost(network, buf, at, size)} ${port}`));
  return { count, out };
};
const decoded = (command: 'addr' | 'addrv2', payload: Uint8Array) =>
  (decodePayload(command, payload) as AddrV2Message).addresses.map((a) => `${a.host} ${a.port}`);

describe('scanGossip', () => {
  for (const command of ['addr', 'addrv2'] as const) {
    it(`${command}: the decoder's addresses, in order, and the entry count`, () => {
      fc.assert(fc.property(messages[command], (m) => {
        const payload = encodePayload(m as BitcoinMessage);
        const { count, out } = scanned(command, payload);
        expect(out).toEqual(decoded(command, payload));
        expect(count).toBe((m as AddrV2Message).addresses.length);
      }), { numRuns: 300 });
    });

    it(`${command}: mutated payloads fail as the decoder fails (malformed), never otherwise`, () => {
      fc.assert(fc.property(messages[command], fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(40), (m, flips, cut) => {
        const payload = encodePayload(m as BitcoinMessage).slice();
        for (const [at, v] of flips) if (payload.length > 0) payload[at % payload.length] = v;
        const bytes = payload.subarray(0, Math.max(0, payload.length - (cut % 3 === 0 ? cut : 0)));
        let want: string[] | Error;
        try {
          want = decoded(command, bytes);
        } catch (e) {
          want = e as Error;
        }
        if (want instanceof Error) {
          expect(want).toBeInstanceOf(ProtocolError);
          expect(() => scanned(command, bytes)).toThrow(ProtocolError);
        } else {
          expect(scanned(command, bytes).out).toEqual(want);
        }
      }), { numRuns: 500 });
    });
  }

  it('skips unknown BIP155 networks (Tor v2, id 3) as the decoder does', () => {
    // count 2; entry 1: torv2 (id 3, 10 bytes); entry 2: ipv4 1.2.3.4:8333
    const payload = Uint8Array.from([2, 0, 0, 0, 0, 1, 3, 10, ...new Array(10).fill(7), 0x20, 0x8d, 0, 0, 0, 0, 1, 1, 4, 1, 2, 3, 4, 0x20, 0x8d]);
    expect(scanned('addrv2', payload)).toEqual({ count: 2, out: ['1.2.3.4 8333'] });
    expect(decoded('addrv2', payload)).toEqual(['1.2.3.4 8333']);
  });
});
