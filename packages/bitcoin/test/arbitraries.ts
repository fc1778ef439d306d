import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { ipToString, type BitcoinMessage } from '../src/wire/index.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const port = fc.integer({ min: 0, max: 0xffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

/** Hosts as the decoder prints them: through ipToString, so text is canonical. */
const host = fc.oneof(
  bytes(4).map((b) => ipToString(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...b]))),
  bytes(16).map((b) => ipToString(b)),
);
const netAddress = fc.record({ services: u64, host, port });
const timed = fc.record({ time: u32, services: u64, host, port });
const invItem = fc.record({ type: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5, 0x40000001, 0x40000002), u32), hash });
const blockHeader = fc.record({ version: i32, prevBlock: hash, merkleRoot: hash, time: u32, bits: u32, nonce: u32 });
const shortString = (maxBytes: number) => fc.string({ maxLength: maxBytes }).filter((s) => Buffer.byteLength(s) <= maxBytes);

/** RFC 4648 base32 written out here, independent of the codec's. */
function b32(data: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bits = [...data].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

export function onion(pubkey: Uint8Array): string {
  const sum = createHash('sha3-256').update('.onion checksum').update(pubkey).update(Uint8Array.of(3)).digest().subarray(0, 2);
  return `${b32(Uint8Array.from([...pubkey, ...sum, 3]))}.onion`;
}

/** addrv2 hosts: built by encoding bytes the way the decoder formats them. */
const addrV2Entry = fc.oneof(
  fc.record({ network: fc.constant('ipv4' as const), host: bytes(4).map((b) => b.join('.')) }),
  fc.record({ network: fc.constant('ipv6' as const), host: bytes(16).map((b) => ipToString(Uint8Array.from([1, ...b.subarray(1)]))) }),
  fc.record({ network: fc.constant('cjdns' as const), host: bytes(16).map((b) => ipToString(Uint8Array.from([0xfc, ...b.subarray(1)]))) }),
  fc.record({ network: fc.constant('i2p' as const), host: bytes(32).map((b) => `${b32(b)}.b32.i2p`) }),
  fc.record({ network: fc.constant('torv3' as const), host: bytes(32).map(onion) }),
).chain((e) => fc.record({
  time: u32, services: u64, port,
  network: fc.constant(e.network), host: fc.constant(e.host),
}));

export const messages: Record<string, fc.Arbitrary<BitcoinMessage>> = {
  version: fc.record({
    command: fc.constant('version' as const), version: i32, services: u64, timestamp: i64, receiver: netAddress,
    sender: netAddress, nonce: u64, userAgent: shortString(256), startHeight: i32, relay: fc.boolean(),
  }),
  verack: fc.constant({ command: 'verack' as const }),
  ping: fc.record({ command: fc.constant('ping' as const), nonce: u64 }),
  pong: fc.record({ command: fc.constant('pong' as const), nonce: u64 }),
  getaddr: fc.constant({ command: 'getaddr' as const }),
  addr: fc.record({ command: fc.constant('addr' as const), addresses: fc.array(timed, { maxLength: 30 }) }),
  addrv2: fc.record({ command: fc.constant('addrv2' as const), addresses: fc.array(addrV2Entry, { maxLength: 20 }) }),
  sendaddrv2: fc.constant({ command: 'sendaddrv2' as const }),
  inv: fc.record({ command: fc.constant('inv' as const), items: fc.array(invItem, { maxLength: 40 }) }),
  getdata: fc.record({ command: fc.constant('getdata' as const), items: fc.array(invItem, { maxLength: 40 }) }),
  notfound: fc.record({ command: fc.constant('notfound' as const), items: fc.array(invItem, { maxLength: 40 }) }),
  getheaders: fc.record({ command: fc.constant('getheaders' as const), version: u32, locator: fc.array(hash, { maxLength: 101 }), hashStop: hash }),
  headers: fc.record({ command: fc.constant('headers' as const), headers: fc.array(blockHeader, { maxLength: 20 }) }),
  sendheaders: fc.constant({ command: 'sendheaders' as const }),
  sendcmpct: fc.record({ command: fc.constant('sendcmpct' as const), announce: fc.boolean(), version: u64 }),
  feefilter: fc.record({ command: fc.constant('feefilter' as const), feeRate: i64 }),
  wtxidrelay: fc.constant({ command: 'wtxidrelay' as const }),
  reject: fc.record({
    command: fc.constant('reject' as const), message: fc.stringMatching(/^[a-z]{0,12}$/), code: fc.integer({ min: 0, max: 255 }),
    reason: shortString(111), data: fc.oneof(bytes(0), hash),
  }),
  raw: fc.record({
    command: fc.stringMatching(/^[!-~]{1,12}$/).filter((c) => !['version', 'verack', 'ping', 'pong', 'getaddr', 'addr', 'addrv2', 'sendaddrv2', 'inv', 'getdata', 'notfound', 'getheaders', 'headers', 'sendheaders', 'sendcmpct', 'feefilter', 'wtxidrelay', 'reject'].includes(c)),
    raw: fc.uint8Array({ maxLength: 600 }),
  }),
};

export const anyMessage: fc.Arbitrary<BitcoinMessage> = fc.oneof(...Object.values(messages));
