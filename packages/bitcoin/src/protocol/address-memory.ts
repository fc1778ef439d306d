/**
 * The gossiped addresses a session has already reported on this thread (a crawl's, `addressMemory`).
 * IPv4 addresses, nearly all of the gossip, sit in an open-addressing table of two Int32Arrays keyed by
 * (port and first octet, last three octets): no object, string or hash of a string per lookup, which a
 * crawl does ten million times. Other networks are kept as strings. Past `limit` of either it starts
 * again: the receiving thread dedupes too, so forgetting only lets repeats through.
 */
export class AddressMemory {
  private high = new Int32Array(1 << 12);
  private low = new Int32Array(1 << 12);
  private used = 0;
  private readonly others = new Set<string>();

  constructor(private readonly limit: number) {}

  /** Whether this IPv4 address and port is new (and now remembered). */
  addIPv4(port: number, a: number, b: number, c: number, d: number): boolean {
    // Stored plus one: 0 marks an empty slot (port 0 with first octet 0 is a real key).
    const hi = ((port << 8) | a) + 1;
    const lo = (b << 16) | (c << 8) | d;
    const mask = this.high.length - 1;
    let i = Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) >>> 0;
    for (;;) {
      i &= mask;
      const h = this.high[i];
      if (h === 0) break;
      if (h === hi && this.low[i] === lo) return false;
      i++;
    }
    if (this.used >= this.limit) {
      this.clearIPv4();
      return this.addIPv4(port, a, b, c, d);
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

  private clearIPv4(): void {
    this.high = new Int32Array(1 << 12);
    this.low = new Int32Array(1 << 12);
    this.used = 0;
  }

  private grow(): void {
    const { high, low } = this;
    this.high = new Int32Array(high.length * 2);
    this.low = new Int32Array(low.length * 2);
    const mask = this.high.length - 1;
    for (let j = 0; j < high.length; j++) {
      const hi = high[j];
      if (hi === 0) continue;
      const lo = low[j];
      let i = Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) >>> 0;
      for (;;) {
        i &= mask;
        if (this.high[i] === 0) break;
        i++;
      }
      this.high[i] = hi;
      this.low[i] = lo;
    }
  }
}
