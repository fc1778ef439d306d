/**
 * A small seeded PRNG of our own (sfc32, from PractRand), so a simulated network is the same in every
 * process and on every machine: Math.random cannot be seeded, and each shard must compute the plan of
 * nodes it does not host without asking the others.
 */
export type Random = () => number;

/** A 32-bit hash of a seed and a few integers (murmur3's finaliser), to start one stream per purpose. */
export function hashSeed(seed: string | number, ...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const ch of String(seed)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** sfc32 in [0, 1), seeded from `seed` and `parts` (e.g. a node index and a purpose), warmed up past its weak start. */
export function seededRandom(seed: string | number, ...parts: number[]): Random {
  let a = hashSeed(seed, ...parts, 1);
  let b = hashSeed(seed, ...parts, 2);
  let c = hashSeed(seed, ...parts, 3);
  let d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** An integer in [0, n). */
export const randomInt = (random: Random, n: number) => Math.floor(random() * n);

/** One of `items` chosen with probability proportional to `weight(item)`. */
export function pickWeighted<T>(random: Random, items: readonly T[], weight: (item: T) => number): T {
  let total = 0;
  for (const item of items) total += weight(item);
  let x = random() * total;
  for (const item of items) {
    x -= weight(item);
    if (x < 0) return item;
  }
  return items[items.length - 1];
}

/** `bytes` pseudo-random bytes. */
export function randomBytesFrom(random: Random, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = randomInt(random, 256);
  return out;
}
