// eth/p2p message codecs, EIP-2124 fork ids, enode URLs, and the codec's refusals.
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@peerscope/engine/protocol';
import { EthCodec } from '../src/codec.js';
import { decodeDisconnect, disconnectReasonName, encodeDisconnect } from '../src/p2p/disconnect.js';
import { decodeStatus, encodeStatus } from '../src/eth/status.js';
import { forkId, currentForkId } from '../src/eth/fork-id.js';
import { NETWORKS } from '../src/eth/networks.js';
import { formatEnode, parseEnode } from '../src/enode.js';
import { hex } from '../src/bytes.js';
import { KeyPair } from '../src/rlpx/crypto.js';

const at = (number: number, time = 0) => ({ number, time });

describe('EIP-2124 fork id', () => {
  it('matches the EIP\'s mainnet vectors', () => {
    const m = NETWORKS.mainnet;
    expect(forkId(m, at(0))).toEqual({ hash: 'fc64ec04', next: 1150000 });
    expect(forkId(m, at(1149999))).toEqual({ hash: 'fc64ec04', next: 1150000 });
    expect(forkId(m, at(1150000))).toEqual({ hash: '97c2c34c', next: 1920000 });
    expect(forkId(m, at(4370000))).toEqual({ hash: 'a00bc324', next: 7280000 });
    expect(forkId(m, at(7280000))).toEqual({ hash: '668db0af', next: 9069000 });
    expect(forkId(m, at(15050000))).toEqual({ hash: 'f0afd0e3', next: 1681338455 });
  });

  it('agrees with @ethereumjs/common on timestamp forks (which also checks our genesis hashes)', () => {
    expect(forkId(NETWORKS.mainnet, at(20_000_000, 1681338455))).toEqual({ hash: 'dce96c2d', next: 1710338135 });
    expect(forkId(NETWORKS.mainnet, at(22_000_000, 1746612311)).hash).toBe('c376cf8b');
    expect(forkId(NETWORKS.sepolia, at(8_000_000, 1741159776)).hash).toBe('ed88b5fd');
    expect(forkId(NETWORKS.holesky, at(3_000_000, 1740434112)).hash).toBe('dfbd9bed');
    expect(forkId(NETWORKS.hoodi, at(1, 1742999832)).hash).toBe('0929e24e');
    expect(forkId(NETWORKS.hoodi, at(1, 1742212800)).hash).toBe('bef71d30');
  });

  it('matches go-ethereum\'s mainnet Osaka and BPO fork ids', () => {
    const [, , prague, osaka, bpo1, bpo2] = NETWORKS.mainnet.forkTimes;
    expect(forkId(NETWORKS.mainnet, at(23_000_000, prague))).toEqual({ hash: 'c376cf8b', next: osaka });
    expect(forkId(NETWORKS.mainnet, at(23_000_000, osaka)).hash).toBe('5167e2a6');
    expect(forkId(NETWORKS.mainnet, at(23_000_000, bpo1)).hash).toBe('cba2a1c0');
    expect(forkId(NETWORKS.mainnet, at(23_000_000, bpo2))).toEqual({ hash: '07c9462e', next: 0 });
  });

  it('announces the latest scheduled fork once its time has passed', () => {
    const last = NETWORKS.mainnet.forkTimes.at(-1)!;
    expect(currentForkId(NETWORKS.mainnet, last - 1).next).toBe(last);
    expect(currentForkId(NETWORKS.mainnet, last).next).toBe(0);
  });
});

describe('messages', () => {
  it('round-trips Status', () => {
    const status = { version: 68, networkId: 1, td: '58750003716598352816469', bestHash: '0x' + '11'.repeat(32), genesisHash: NETWORKS.mainnet.genesisHash, forkId: { hash: 'c376cf8b', next: 0 } };
    expect(decodeStatus(encodeStatus(status))).toEqual(status);
  });

  it('reads Disconnect in every shape clients send', () => {
    expect(decodeDisconnect(encodeDisconnect(4))).toBe(4); // [reason]
    expect(decodeDisconnect(Uint8Array.of(0x04))).toBe(4); // bare integer (ethereumjs)
    expect(decodeDisconnect(new Uint8Array(0))).toBe(0);
    expect(disconnectReasonName(0x10)).toBe('subprotocol-error');
    expect(disconnectReasonName(0x42)).toBe('unknown-0x42');
  });

  it('parses and formats enode URLs', () => {
    const id = 'ab'.repeat(64);
    expect(parseEnode(`enode://${id}@127.0.0.1:30303`)).toEqual({ id, host: '127.0.0.1', port: 30303, udpPort: 30303 });
    expect(parseEnode(`enode://${id}@[::1]:30303?discport=30301`)).toEqual({ id, host: '::1', port: 30303, udpPort: 30301 });
    expect(formatEnode({ id, host: '::1', port: 1, udpPort: 2 })).toBe(`enode://${id}@[::1]:1?discport=2`);
    expect(() => parseEnode('enode://zz@1.2.3.4:1')).toThrow();
    expect(() => parseEnode(`enode://${id}@example.com:30303`)).toThrow(/IP/);
  });
});

describe('EthCodec refusals', () => {
  const key = hex(KeyPair.generate().privateKey);
  const fail = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err as ProtocolError;
    }
    throw new Error('did not throw');
  };

  it('refuses an oversized handshake packet', () => {
    const codec = new EthCodec({ privateKey: key }, 'inbound');
    expect(fail(() => codec.decode(Uint8Array.of(0xff, 0xff, 1, 2, 3)))).toMatchObject({ name: 'ProtocolError', reason: 'oversize' });
  });

  it('refuses an auth it cannot decrypt', () => {
    const codec = new EthCodec({ privateKey: key }, 'inbound');
    const junk = new Uint8Array(400);
    junk[0] = 0x01; junk[1] = 398 - 256;
    expect(fail(() => codec.decode(junk))).toMatchObject({ reason: 'malformed' });
  });

  it('refuses bytes before the outbound auth', () => {
    const codec = new EthCodec({ privateKey: key }, 'outbound');
    expect(fail(() => codec.decode(Uint8Array.of(1)))).toMatchObject({ reason: 'protocol-violation' });
  });

  it('holds partial handshake bytes as pending', () => {
    const codec = new EthCodec({ privateKey: key }, 'inbound');
    expect(codec.decode(Uint8Array.of(0x01, 0xb3, 0x04))).toEqual([]);
    expect(codec.pending()).toBe(3);
  });
});
