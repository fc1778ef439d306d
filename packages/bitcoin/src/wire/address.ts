import { isIPv4, isIPv6 } from 'node:net';
import type { PayloadReader } from './reader.js';
import type { PayloadWriter } from './writer.js';

/**
 * A network address as in version (no time) and addr (with time): services, then a 16-byte IPv6
 * address (IPv4 as IPv4-mapped ::ffff:a.b.c.d), then the port big-endian.
 * `host` is the address as text: dotted IPv4 for mapped addresses, RFC 5952 IPv6 otherwise.
 */
export interface NetAddress {
  services: bigint;
  host: string;
  port: number;
}

/** An addr entry: a NetAddress with the time it was last seen (uint32 seconds since 1970). */
export interface TimedNetAddress extends NetAddress {
  time: number;
}

/** Text form of the 16-byte address at ip[offset, offset+16). */
export function ipToString(ip: Uint8Array, offset = 0): string {
  const o = offset;
  if (isIPv4Mapped(ip, o)) return ip[o + 12] + '.' + ip[o + 13] + '.' + ip[o + 14] + '.' + ip[o + 15];
  return ipv6ToString(ip, o);
}

/** Whether the 16 bytes at ip[offset] are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function isIPv4Mapped(ip: Uint8Array, offset = 0): boolean {
  for (let i = 0; i < 10; i++) if (ip[offset + i] !== 0) return false;
  return ip[offset + 10] === 0xff && ip[offset + 11] === 0xff;
}

/** RFC 5952: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as "::". */
export function ipv6ToString(ip: Uint8Array, offset = 0): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (ip[offset + 2 * i] << 8) | ip[offset + 2 * i + 1];
  let bestStart = -1, bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(':');
  return head + '::' + tail;
}

/** Dotted IPv4 → 4 bytes. */
export function ipv4ToBytes(host: string): Uint8Array {
  // Parsed by hand: a getaddr answer encodes 1,000 of these, and split/map/regex cost ten times more.
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= host.length; i++) {
    const c = i < host.length ? host.charCodeAt(i) : 46; // a final '.' closes the last part
    if (c >= 48 && c <= 57) {
      // No leading zeros (node:net's isIPv4 rejects "01" too), at most 3 digits.
      if (digits === 1 && value === 0) return notIPv4(host);
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return notIPv4(host);
    } else if (c === 46 && digits > 0 && part < 4) {
      out[part++] = value;
      value = 0;
      digits = 0;
    } else {
      return notIPv4(host);
    }
  }
  return part === 4 ? out : notIPv4(host);
}

function notIPv4(host: string): never {
  throw new TypeError(`not an IPv4 address: "${host}"`);
}

/** An IPv4 or IPv6 address in text → the 16-byte form (IPv4 becomes IPv4-mapped ::ffff:a.b.c.d). */
export function ipToBytes(host: string): Uint8Array {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const out = new Uint8Array(16);
  if (isIPv4(h)) {
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(ipv4ToBytes(h), 12);
    return out;
  }
  if (!isIPv6(h)) throw new TypeError(`not an IP address: "${host}"`);
  let text = h;
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  const tailPart = text.slice(lastColon + 1);
  if (tailPart.includes('.')) {
    const v4 = ipv4ToBytes(tailPart);
    text = text.slice(0, lastColon + 1) + ((v4[0] << 8) | v4[1]).toString(16) + ':' + ((v4[2] << 8) | v4[3]).toString(16);
  }
  const [left, right] = text.includes('::') ? text.split('::') : [text, undefined];
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right ? right.split(':') : [];
  const groups = right === undefined
    ? leftGroups
    : [...leftGroups, ...new Array<string>(8 - leftGroups.length - rightGroups.length).fill('0'), ...rightGroups];
  for (let i = 0; i < 8; i++) {
    const g = parseInt(groups[i], 16);
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  }
  return out;
}

export function readNetAddress(r: PayloadReader): NetAddress {
  const services = r.u64le('services');
  const host = ipToString(r.buf, r.take(16, 'ip'));
  return { services, host, port: r.u16be() };
}

export function readTimedNetAddress(r: PayloadReader): TimedNetAddress {
  const time = r.u32le('time');
  const services = r.u64le('services');
  const host = ipToString(r.buf, r.take(16, 'ip'));
  return { time, services, host, port: r.u16be() };
}

export function writeNetAddress(w: PayloadWriter, a: NetAddress): void {
  w.u64le(a.services).bytes(ipToBytes(a.host)).u16be(a.port);
}

export function writeTimedNetAddress(w: PayloadWriter, a: TimedNetAddress): void {
  w.u32le(a.time);
  writeNetAddress(w, a);
}
