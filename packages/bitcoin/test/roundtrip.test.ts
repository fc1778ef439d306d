import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitcoinCodec, MAINNET, decodePayload, encodePayload } from '../src/wire/index.js';
import { messages } from './arbitraries.js';
import { plain } from './helpers.js';

describe('round trip: decode(encode(m)) = m for every message type', () => {
  for (const [name, arb] of Object.entries(messages)) {
    it(name, () => {
      fc.assert(fc.property(arb, (m) => {
        expect(plain(decodePayload(m.command, encodePayload(m)))).toEqual(plain(m));
        const codec = new BitcoinCodec({ magic: MAINNET.magic });
        const { command, bytes } = codec.encode(m);
        expect(command).toBe(m.command);
        const out = codec.decode(bytes);
        expect(out).toHaveLength(1);
        expect(out[0].size).toBe(bytes.length);
        expect(plain(out[0].message)).toEqual(plain(m));
        // And back: the bytes are canonical, so re-encoding the decoded message gives the same frame.
        expect(Buffer.from(codec.encode(out[0].message).bytes).equals(Buffer.from(bytes))).toBe(true);
      }), { numRuns: 150 });
    });
  }

  it('a Tor v3 address the network published round-trips (BIP155 torv3)', () => {
    // The Tor Project's own onion service, v3.
    const host = '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion';
    const m = { command: 'addrv2' as const, addresses: [{ time: 1, services: 9n, network: 'torv3' as const, host, port: 8333 }] };
    const payload = encodePayload(m);
    expect(payload.length).toBe(1 + 4 + 1 + 1 + 1 + 32 + 2);
    expect(plain(decodePayload('addrv2', payload))).toEqual(plain(m));
  });
});
