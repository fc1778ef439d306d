import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  BitcoinCodec, MAINNET, REGTEST, SIGNET, TESTNET3, TESTNET4, blockHash, decodePayload, doubleSha256, encodePayload,
  getNetwork, hashFromHex, hashToHex, invTypeName, ipToBytes, ipToString, isMessage, serviceNames,
  type BitcoinMessage, type BlockHeader,
} from '../src/wire/index.js';
import { ipv4ToBytes } from '../src/wire/address.js';
import { frame, hex, plain, toHex } from './helpers.js';

const codec = () => new BitcoinCodec({ magic: MAINNET.magic });

// Bitcoin developer reference, "version" example (also Programming Bitcoin's network tests).
const VERSION_FRAME = hex(
  'f9beb4d976657273696f6e0000000000650000005f1a69d2' +
  '721101000100000000000000bc8f5e5400000000010000000000000000000000000000000000ffffc61b6409208d' +
  '010000000000000000000000000000000000ffffcb0071c0208d128035cbc97953f80f2f5361746f7368693a302e392e332fcf05050001',
);
const VERACK_FRAME = hex('f9beb4d976657261636b000000000000000000005df6e0e2');

// btcd wire/msgversion_test.go: baseVersionBIP0037Encoded (protocol 70001, relay flag set).
const BTCD_VERSION_70001 = hex(
  '71110100 0100000000000000 29ab5f4900000000' +
  '0100000000000000 00000000000000000000ffffc0a80001 208d' +
  '0100000000000000 00000000000000000000ffff7f000001 208d' +
  'f3e0010000000000 10 2f6463726474657374 3a302e302e312f fa920300 01',
);
// btcd baseVersionEncoded: protocol 60002, before BIP37, so no relay byte.
const BTCD_VERSION_60002 = Uint8Array.from([...BTCD_VERSION_70001.subarray(0, -1)]);
BTCD_VERSION_60002.set(hex('62ea0000'), 0);

// Mainnet genesis and block 1 headers.
const GENESIS = hex(
  '01000000' + '00'.repeat(32) +
  '3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a' + '29ab5f49' + 'ffff001d' + '1dac2b7c',
);
const BLOCK1 = hex(
  '01000000' + '6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000' +
  '982051fd1e4ba744bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e' + '61bc6649' + 'ffff001d' + '01e36299',
);

function headerOf(raw: Uint8Array): BlockHeader {
  const dv = new DataView(raw.buffer, raw.byteOffset);
  return {
    version: dv.getInt32(0, true), prevBlock: raw.subarray(4, 36), merkleRoot: raw.subarray(36, 68),
    time: dv.getUint32(68, true), bits: dv.getUint32(72, true), nonce: dv.getUint32(76, true),
  };
}

describe('published byte vectors', () => {
  it('decodes the developer-reference version message and re-encodes it byte for byte', () => {
    const [d] = codec().decode(VERSION_FRAME);
    expect(d.command).toBe('version');
    expect(d.size).toBe(125);
    const m = d.message;
    if (!isMessage(m, 'version')) throw new Error('not a version');
    expect(m).toMatchObject({
      version: 70002, services: 1n, timestamp: 1415483324n, userAgent: '/Satoshi:0.9.3/', startHeight: 329167, relay: true,
      receiver: { services: 1n, host: '198.27.100.9', port: 8333 },
      sender: { services: 1n, host: '203.0.113.192', port: 8333 },
      nonce: 0xf85379c9cb358012n,
    });
    expect(toHex(codec().encode(m).bytes)).toBe(toHex(VERSION_FRAME));
  });

  it('decodes the verack frame f9beb4d976657261636b000000000000000000005df6e0e2 and encodes the same bytes', () => {
    const out = codec().decode(VERACK_FRAME);
    expect(out).toEqual([{ command: 'verack', size: 24, message: { command: 'verack' } }]);
    expect(toHex(codec().encode({ command: 'verack' }).bytes)).toBe(toHex(VERACK_FRAME));
  });

  it('round-trips btcd\'s version 70001 vector', () => {
    const m = decodePayload('version', BTCD_VERSION_70001);
    expect(m).toMatchObject({
      command: 'version', version: 70001, services: 1n, timestamp: 0x495fab29n, nonce: 123123n,
      userAgent: '/dcrdtest:0.0.1/', startHeight: 234234, relay: true,
      receiver: { host: '192.168.0.1', port: 8333 }, sender: { host: '127.0.0.1', port: 8333 },
    });
    expect(toHex(encodePayload(m))).toBe(toHex(BTCD_VERSION_70001));
  });

  it('accepts btcd\'s pre-BIP37 version (no relay byte) and its truncations at optional fields, as Core does', () => {
    expect(decodePayload('version', BTCD_VERSION_60002)).toMatchObject({ version: 60002, relay: true, startHeight: 234234 });
    // btcd TestVersionOptionalFields: cut after receiver (-55), sender (-29), nonce (-21), user agent (-4).
    const cut = (n: number) => BTCD_VERSION_60002.subarray(0, BTCD_VERSION_60002.length - n);
    expect(decodePayload('version', cut(55))).toMatchObject({ nonce: 0n, userAgent: '', startHeight: 0, sender: { host: '::', port: 0 } });
    expect(decodePayload('version', cut(21))).toMatchObject({ nonce: 123123n, userAgent: '', startHeight: 0 });
    expect(decodePayload('version', cut(4))).toMatchObject({ userAgent: '/dcrdtest:0.0.1/', startHeight: 0 });
    // Core reads sender and nonce together: a message cut inside them is malformed.
    expect(() => decodePayload('version', cut(29))).toThrow(/truncated nonce/);
    // Bytes after the relay flag are ignored, as Core ignores them.
    expect(decodePayload('version', Uint8Array.from([...BTCD_VERSION_70001, 1, 2, 3]))).toMatchObject({ relay: true });
  });

  it('hashes the mainnet genesis header to 000000000019d6…e26f and block 1 to 00000000839a…6048', () => {
    expect(hashToHex(doubleSha256(GENESIS))).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    const payload = Uint8Array.from([2, ...GENESIS, 0, ...BLOCK1, 0]);
    const m = decodePayload('headers', payload);
    if (!isMessage(m, 'headers')) throw new Error('not headers');
    expect(m.headers.map((h) => hashToHex(blockHash(h)))).toEqual([
      '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
      '00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048',
    ]);
    expect(m.headers[1]).toMatchObject({ version: 1, time: 1231469665, bits: 0x1d00ffff, nonce: 2573394689 });
    expect(hashToHex(m.headers[1].prevBlock)).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    expect(hashToHex(m.headers[0].merkleRoot)).toBe('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
    expect(toHex(encodePayload(m))).toBe(toHex(payload));
    expect(plain(headerOf(BLOCK1))).toEqual(plain(m.headers[1]));
  });

  it('double-SHA-256 of "hello" is 9595c9df…3d50 (Bitcoin wiki)', () => {
    expect(toHex(doubleSha256(Buffer.from('hello')))).toBe('9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50');
    const big = new Uint8Array(100_000).fill(7); // node:crypto path
    expect(toHex(doubleSha256(big))).toBe(toHex(createHash('sha256').update(createHash('sha256').update(big).digest()).digest()));
  });

  it('decodes the Bitcoin wiki addr example (checksum ed52399b)', () => {
    const payload = hex('01 e215104d 0100000000000000 00000000000000000000ffff0a000001 208d');
    const bytes = frame('addr', payload);
    expect(toHex(bytes.subarray(20, 24))).toBe('ed52399b');
    const [d] = codec().decode(bytes);
    expect(d.message).toEqual({ command: 'addr', addresses: [{ time: 1292899810, services: 1n, host: '10.0.0.1', port: 8333 }] });
    expect(toHex(codec().encode(d.message).bytes)).toBe(toHex(bytes));
  });

  it('decodes inv, getdata and getheaders built from known hashes', () => {
    const genesisHash = hashFromHex('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    expect(toHex(genesisHash)).toBe('6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000');
    const inv = decodePayload('inv', Uint8Array.from([1, 2, 0, 0, 0, ...genesisHash]));
    expect(plain(inv)).toEqual({ command: 'inv', items: [{ type: 2, hash: toHex(genesisHash) }] });
    const gh = decodePayload('getheaders', Uint8Array.from([0x7f, 0x11, 1, 0, 1, ...genesisHash, ...new Uint8Array(32)]));
    expect(plain(gh)).toEqual({ command: 'getheaders', version: 70015, locator: [toHex(genesisHash)], hashStop: '00'.repeat(32) });
  });
});

describe('networks', () => {
  it('has Core\'s magics, ports and seeds', () => {
    expect(MAINNET).toMatchObject({ magic: 0xd9b4bef9, port: 8333 });
    expect(toHex(MAINNET.magicBytes)).toBe('f9beb4d9');
    expect(toHex(TESTNET3.magicBytes)).toBe('0b110907');
    expect(toHex(TESTNET4.magicBytes)).toBe('1c163f28');
    expect(toHex(SIGNET.magicBytes)).toBe('0a03cf40');
    expect(toHex(REGTEST.magicBytes)).toBe('fabfb5da');
    expect([TESTNET3.port, TESTNET4.port, SIGNET.port, REGTEST.port]).toEqual([18333, 48333, 38333, 18444]);
    expect(MAINNET.seeds).toContain('seed.bitcoin.sipa.be');
    expect(REGTEST.seeds).toEqual([]);
    expect(getNetwork('main')).toBe(MAINNET);
    expect(getNetwork('regtest')).toBe(REGTEST);
    expect(() => getNetwork('dogecoin')).toThrow(RangeError);
  });

  it('decodes with a magic given as bytes', () => {
    const c = new BitcoinCodec({ magic: REGTEST.magicBytes });
    const bytes = c.encode({ command: 'verack' }).bytes;
    expect(toHex(bytes.subarray(0, 4))).toBe('fabfb5da');
    expect(new BitcoinCodec({ magic: REGTEST.magic }).decode(bytes)).toHaveLength(1);
  });
});

describe('names and addresses', () => {
  it('names service bits', () => {
    expect(serviceNames(0x409n)).toEqual(['NETWORK', 'WITNESS', 'NETWORK_LIMITED']);
    expect(serviceNames(0xc5dn)).toEqual(['NETWORK', 'BLOOM', 'WITNESS', 'XTHIN', 'COMPACT_FILTERS', 'NETWORK_LIMITED', 'P2P_V2']);
    expect(serviceNames((1n << 24n) | 2n)).toEqual(['GETUTXO', 'bit24']);
    expect(serviceNames(0n)).toEqual([]);
  });

  it('names inventory types', () => {
    expect([0, 1, 2, 3, 4, 5, 0x40000001, 0x40000002].map(invTypeName)).toEqual([
      'error', 'tx', 'block', 'filtered-block', 'cmpct-block', 'wtx', 'witness-tx', 'witness-block',
    ]);
    expect(invTypeName(99)).toBe('type0x63');
  });

  it('converts IPv4-mapped and IPv6 addresses and formats host:port', () => {
    expect(toHex(ipToBytes('10.0.0.1'))).toBe('00000000000000000000ffff0a000001');
    expect(ipToString(hex('00000000000000000000ffff0a000001'))).toBe('10.0.0.1');
    expect(ipToString(ipToBytes('2001:db8::1'))).toBe('2001:db8::1');
    expect(ipToString(ipToBytes('::'))).toBe('::');
    expect(ipToString(ipToBytes('::ffff:1.2.3.4'))).toBe('1.2.3.4');
    expect(ipToString(ipToBytes('fe80:0:0:1:0:0:0:1'))).toBe('fe80:0:0:1::1');
  });

  it('reads IPv4 text exactly as node:net accepts it (the hand parser on the getaddr path)', () => {
    const texts = ['0.0.0.0', '1.2.3.4', '255.255.255.255', '127.100.3.200', '10.0.0.1', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04',
      '1..2.3', '.1.2.3', '1.2.3.', '', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.-4', '1234.1.1.1', '::1', '0.0.0.00'];
    for (const t of texts) {
      if (isIPv4(t)) expect([...ipv4ToBytes(t)], t).toEqual(t.split('.').map(Number));
      else expect(() => ipv4ToBytes(t), t).toThrow(/not an IPv4 address/);
    }
  });

  it('passes unknown commands through as raw bytes', () => {
    const bytes = frame('cmpctblock', hex('deadbeef'));
    const [d] = codec().decode(bytes);
    expect(plain(d)).toEqual({ command: 'cmpctblock', size: 28, message: { command: 'cmpctblock', raw: 'deadbeef' } });
    const m: BitcoinMessage = d.message;
    expect(isMessage(m, 'ping')).toBe(false);
    expect(toHex(codec().encode(m).bytes)).toBe(toHex(bytes));
  });
});

describe('double-SHA-256', () => {
  it('the JavaScript SHA-256 used for small payloads matches node:crypto at every length up to 1,100', async () => {
    const { jsDoubleSha256, jsDoubleSha256Head } = await import('../src/wire/sha256.js');
    for (let n = 0; n <= 1100; n++) {
      const data = Uint8Array.from({ length: n + 3 }, (_, i) => (i * 31 + n) & 255);
      const want = createHash('sha256').update(createHash('sha256').update(data.subarray(2, 2 + n)).digest()).digest();
      expect(toHex(jsDoubleSha256(data, 2, 2 + n, new Uint8Array(32)))).toBe(want.toString('hex'));
      expect(jsDoubleSha256Head(data, 2, 2 + n)).toBe(want.readUInt32BE(0));
    }
  });
});
