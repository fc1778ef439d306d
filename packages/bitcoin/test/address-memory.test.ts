// The crawl's address memory against a plain Set: the same answers over random keys, through growth
// and through the limit (past it, it forgets and starts again).
import { describe, expect, it } from 'vitest';
import { AddressMemory } from '../src/protocol/address-memory.js';

const rand = (seed: number) => () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

describe('AddressMemory', () => {
  it('says new exactly when a Set would, over 200,000 draws from 50,000 IPv4 keys (port 0 and 0.x.x.x included)', () => {
    const r = rand(7);
    const memory = new AddressMemory(1_000_000);
    const set = new Set<string>();
    for (let n = 0; n < 200_000; n++) {
      const k = Math.floor(r() * 50_000);
      const port = k % 3 === 0 ? 0 : 8333 + (k % 5);
      const octets = [k % 7 === 0 ? 0 : 127, (k >> 10) & 255, (k >> 2) & 255, k & 255] as const;
      const key = `${port} ${octets.join('.')}`;
      expect(memory.addIPv4(port, ...octets)).toBe(!set.has(key));
      set.add(key);
    }
  });

  it('forgets everything at its limit, then remembers again', () => {
    const memory = new AddressMemory(3);
    expect([1, 2, 3].map((d) => memory.addIPv4(8333, 10, 0, 0, d))).toEqual([true, true, true]);
    expect(memory.addIPv4(8333, 10, 0, 0, 1)).toBe(false);
    expect(memory.addIPv4(8333, 10, 0, 0, 4)).toBe(true); // the limit: a new table with this one in it
    expect(memory.addIPv4(8333, 10, 0, 0, 1)).toBe(true);
    expect(memory.addIPv4(8333, 10, 0, 0, 4)).toBe(false);
    expect(memory.addOther('onion:x')).toBe(true);
    expect(memory.addOther('onion:x')).toBe(false);
  });
});
