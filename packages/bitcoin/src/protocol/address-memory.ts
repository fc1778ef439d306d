/**
 * The gossiped addresses a session has already reported on this thread (a crawl's, `addressMemory`).
 * IPv4 addresses, nearly all of the gossip, sit in an open-addressing table of two Int32Arrays keyed by
 * (port and first octet, last three octets): no object, string or hash of a string per lookup, which a
 * crawl does ten million times. Other networks are kept as strings. Past `limit` of either it starts
 * again: the receiving thread dedupes too, so forgetting only lets repeats through.
 */
/** A table's first slot for a key (a multiplicative hash); probes go on from it, one slot at a time. */
const slotOf = (hi: number, lo: number) => Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) >>> 0;
const FIRST_SIZE = 1 << 12;

export class AddressMemory {
  private high = new Int32Array(FIRST_SIZE);
  private low = new Int32Array(FIRST_SIZE);
  private used = 0;
  private readonly others = new Set<string>();

  constructor(private readonly limit: number) {}

  /** Whether this IPv4 address and port is new (and now remembered). */
  addIPv4(port: number, a: number, b: number, c: number, d: number): boolean {
    // Stored plus one: 0 marks an empty slot (port 0 with first octet 0 is a real key).
    const hi = ((port << 8) | a) + 1;
    const lo = (b << 16) | (c << 8) | d;
    let i = this.find(hi, lo);
    if (this.high[i] !== 0) return false;
    if (this.used >= this.limit) {
      this.high = new Int32Array(FIRST_SIZE);
      this.low = new Int32Array(FIRST_SIZE);
      this.used = 0;
      i = this.find(hi, lo);
    }
    this.high[i] = hi;
    this.low[i] = lo;
    // At half full, double: probes stay short.
    if (++this.used * 2 > this.high.length) this.grow();
    return true;
  }

  /** Whether this key (any other network) is new (and now remembered). */
  addOther(key: string): boolean {
    if (this.others.has(key)) return false;
    if (this.others.size >= this.limit) this.others.clear();
    this.others.add(key);
    return true;
  }

  /** The slot holding the key, or the empty slot where it would go. */
  private find(hi: number, lo: number): number {
    const mask = this.high.length - 1;
    for (let i = slotOf(hi, lo); ; i++) {
      i &= mask;
      const h = this.high[i];
      if (h === 0 || (h === hi && this.low[i] === lo)) return i;
    }
  }

  private grow(): void {
    const { high, low } = this;
    this.high = new Int32Array(high.length * 2);
    this.low = new Int32Array(low.length * 2);
    for (let j = 0; j < high.length; j++) {
      if (high[j] === 0) continue;
      const i = this.find(high[j], low[j]);
      this.high[i] = high[j];
      this.low[i] = low[j];
    }
  }
}
