import { ProtocolError } from '@peerscope/engine/protocol';
import { describe, expect, it } from 'vitest';
import { BitcoinCodec, MAINNET, MAX_PAYLOAD, REGTEST, decodePayload } from '../src/wire/index.js';
import { frame, hex, reasonOf } from './helpers.js';

const newCodec = () => new BitcoinCodec({ magic: MAINNET.magic });
const decodeAll = (bytes: Uint8Array) => newCodec().decode(bytes);
const ping = hex('0102030405060708');

describe('framing errors', () => {
  it('bad magic (another network), detected from the first 4 bytes', () => {
    expect(reasonOf(() => decodeAll(frame('ping', ping, { magic: REGTEST.magicBytes })))).toBe('bad-magic');
    expect(reasonOf(() => newCodec().decode(hex('fabfb5da')))).toBe('bad-magic');
    expect(reasonOf(() => decodeAll(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n')))).toBe('bad-magic');
  });

  it('bad magic says which network the peer speaks, and what to pass', () => {
    const detail = (bytes: Uint8Array) => { try { decodeAll(bytes); } catch (e) { return (e as ProtocolError).detail ?? (e as Error).message; } };
    expect(detail(frame('ping', ping, { magic: REGTEST.magicBytes }))).toMatch(/^peer speaks regtest; try --network regtest \(magic 0xdab5bffa, expected mainnet's 0xd9b4bef9\)$/);
    expect(detail(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'))).toMatch(/^bad magic 0x20544547 \(expected mainnet's 0xd9b4bef9\)$/);
  });

  it('bad checksum', () => {
    expect(reasonOf(() => decodeAll(frame('ping', ping, { checksum: hex('00000000') })))).toBe('bad-checksum');
    const big = new Uint8Array(200_000);
    expect(reasonOf(() => decodeAll(frame('block', big, { checksum: hex('01020304') })))).toBe('bad-checksum');
    const c = newCodec();
    const bytes = frame('block', big, { checksum: hex('01020304') });
    expect(reasonOf(() => { for (let o = 0; o < bytes.length; o += 1460) c.decode(bytes.subarray(o, o + 1460)); })).toBe('bad-checksum');
  });

  it('oversize: a declared length of 4,000,001 fails after the 24-byte header alone, nothing buffered', () => {
    const header = frame('block', new Uint8Array(0), { length: MAX_PAYLOAD + 1 }).subarray(0, 24);
    const c = newCodec();
    expect(c.decode(header.subarray(0, 23))).toEqual([]);
    let err: unknown;
    try { c.decode(header.subarray(23)); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).reason).toBe('oversize');
    expect(c.buffered).toBe(0);
    // Exactly MAX_PAYLOAD is allowed: the decoder waits for the payload.
    const ok = newCodec();
    expect(ok.decode(frame('block', new Uint8Array(0), { length: MAX_PAYLOAD }).subarray(0, 24))).toEqual([]);
    // A smaller configured limit applies too.
    expect(reasonOf(() => new BitcoinCodec({ magic: MAINNET.magic, maxPayload: 1000 }).decode(frame('tx', new Uint8Array(1001))))).toBe('oversize');
  });

  it('a command that is not NUL-padded printable ASCII is malformed', () => {
    expect(reasonOf(() => decodeAll(frame('pi\x01g', ping)))).toBe('malformed');
    expect(reasonOf(() => decodeAll(frame('ping\0x', ping)))).toBe('malformed');
    expect(reasonOf(() => decodeAll(frame('p\xe9ng', ping)))).toBe('malformed');
    expect(decodeAll(frame('abcdefghijkl', ping))[0].command).toBe('abcdefghijkl');
  });

  it('stays failed: no resynchronisation after an error', () => {
    const c = newCodec();
    expect(() => c.decode(frame('ping', ping, { checksum: hex('00000000') }))).toThrow(ProtocolError);
    expect(reasonOf(() => c.decode(frame('ping', ping)))).toBe('bad-checksum');
  });

  it('messages before a bad frame in the same chunk are lost with the connection (the error is thrown)', () => {
    const bytes = Buffer.concat([frame('verack', new Uint8Array(0)), frame('ping', ping, { magic: REGTEST.magicBytes })]);
    expect(reasonOf(() => decodeAll(bytes))).toBe('bad-magic');
  });
});

describe('payload errors', () => {
  it('non-canonical CompactSize is malformed', () => {
    // inv count 1 written as fd 01 00
    const hash = new Uint8Array(32);
    expect(reasonOf(() => decodeAll(frame('inv', Uint8Array.from([0xfd, 1, 0, 1, 0, 0, 0, ...hash]))))).toBe('malformed');
    expect(reasonOf(() => decodePayload('addr', hex('fe ff000000')))).toBe('malformed');
    expect(reasonOf(() => decodePayload('headers', hex('ff 0100000000000000')))).toBe('malformed');
    // user agent length 5 as fd 0500
    const v = hex('7f110100 0000000000000000 0000000000000000' + '00'.repeat(26) + '00'.repeat(26) + '0000000000000000 fd0500 6162636465');
    expect(() => decodePayload('version', v)).toThrow(/non-canonical/);
  });

  it('too many entries is malformed', () => {
    expect(reasonOf(() => decodeAll(frame('inv', hex('fd 51c3'))))).toBe('malformed'); // 50,001
    expect(reasonOf(() => decodePayload('getdata', hex('fd 51c3')))).toBe('malformed');
    expect(reasonOf(() => decodePayload('notfound', hex('fe 00000100')))).toBe('malformed');
    expect(reasonOf(() => decodePayload('addr', hex('fd e903')))).toBe('malformed'); // 1,001
    expect(reasonOf(() => decodePayload('addrv2', hex('fd e903')))).toBe('malformed');
    expect(reasonOf(() => decodePayload('headers', hex('fd d107')))).toBe('malformed'); // 2,001
    expect(reasonOf(() => decodePayload('getheaders', hex('7f110100 66')))).toBe('malformed'); // 102 locator hashes
    const longAgent = hex('7f110100 0000000000000000 0000000000000000' + '00'.repeat(26) + '00'.repeat(26) + '0000000000000000 fd0101' + '61'.repeat(257));
    expect(() => decodePayload('version', longAgent)).toThrow(/user agent length 257 over the limit of 256/);
  });

  it('the limit itself is accepted (inv of exactly 50,000)', () => {
    const payload = new Uint8Array(3 + 50_000 * 36);
    payload.set([0xfd, 0x50, 0xc3]);
    const [d] = decodeAll(frame('inv', payload));
    expect((d.message as { items: unknown[] }).items).toHaveLength(50_000);
  });

  it('truncated payloads are malformed (checksum valid, fields missing)', () => {
    expect(reasonOf(() => decodeAll(frame('ping', ping.subarray(0, 7))))).toBe('malformed');
    expect(reasonOf(() => decodeAll(frame('inv', Uint8Array.from([2, 1, 0, 0, 0, ...new Uint8Array(32)]))))).toBe('malformed');
    expect(reasonOf(() => decodePayload('version', new Uint8Array(40)))).toBe('malformed');
    expect(reasonOf(() => decodePayload('headers', Uint8Array.from([1, ...new Uint8Array(80)])))).toBe('malformed');
    expect(reasonOf(() => decodePayload('reject', hex('05 6162')))).toBe('malformed');
  });

  it('trailing bytes after fixed messages are malformed; empty messages must be empty', () => {
    expect(reasonOf(() => decodePayload('ping', hex('010203040506070809')))).toBe('malformed');
    expect(reasonOf(() => decodePayload('verack', hex('00')))).toBe('malformed');
    expect(reasonOf(() => decodePayload('inv', hex('00 00')))).toBe('malformed');
  });

  it('headers with a non-zero transaction count are malformed', () => {
    expect(reasonOf(() => decodePayload('headers', Uint8Array.from([1, ...new Uint8Array(80), 1])))).toBe('malformed');
  });

  it('addrv2: unknown networks are skipped, wrong lengths and oversized addresses are malformed (BIP155)', () => {
    const entry = (net: number, addr: string) => `00000000 00 ${net.toString(16).padStart(2, '0')} ${(addr.length / 2).toString(16).padStart(2, '0')} ${addr} 208d`;
    const m = decodePayload('addrv2', hex(`03 ${entry(3, '00'.repeat(10))} ${entry(1, '7f000001')} ${entry(42, 'abcd')}`));
    expect(m).toEqual({ command: 'addrv2', addresses: [{ time: 0, services: 0n, network: 'ipv4', host: '127.0.0.1', port: 8333 }] });
    expect(reasonOf(() => decodePayload('addrv2', hex(`01 ${entry(1, '7f00000100')}`)))).toBe('malformed');
    expect(reasonOf(() => decodePayload('addrv2', hex(`01 ${entry(2, '00'.repeat(4))}`)))).toBe('malformed');
    expect(reasonOf(() => decodePayload('addrv2', hex(`01 ${entry(4, '00'.repeat(16))}`)))).toBe('malformed');
    expect(reasonOf(() => decodePayload('addrv2', hex('01 00000000 00 09 fd0102' + '00'.repeat(513) + '208d')))).toBe('malformed');
  });

  it('reject strings over Core\'s limits are malformed', () => {
    expect(reasonOf(() => decodePayload('reject', hex('0d' + '61'.repeat(13) + '10 00')))).toBe('malformed');
    expect(decodePayload('reject', hex('02 7478 10 03 626164' + 'ab'.repeat(32)))).toMatchObject({ message: 'tx', code: 0x10, reason: 'bad' });
  });

  it('encoding refuses what the decoder would refuse', () => {
    const c = newCodec();
    expect(() => c.encode({ command: 'inv', items: Array.from({ length: 50_001 }, () => ({ type: 1, hash: new Uint8Array(32) })) })).toThrow(RangeError);
    expect(() => c.encode({ command: 'ping', nonce: -1n })).toThrow(RangeError);
    expect(() => c.encode({ command: 'waytoolongcommand', raw: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => c.encode({ command: 'inv', items: [{ type: 1, hash: new Uint8Array(31) }] })).toThrow(RangeError);
  });
});
