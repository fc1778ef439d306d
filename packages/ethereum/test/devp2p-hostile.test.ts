// Issue 9, section 1: hostile devp2p peers on loopback. Each is a raw TCP server that we dial; it speaks
// RLPx with our own handshake code where it needs to get far enough to misbehave. Each must end with a
// typed reason within its timeout.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FailureReason, PeerEvent } from '@peerscope/engine';
import { runPeer, type PeerRun } from '@peerscope/engine/protocol';
import ethereum from '../src/protocol.js';
import { ethConfig } from '../src/index.js';
import { FrameCodec, KeyPair, RlpxHandshake } from '../src/rlpx/index.js';
import { encodeHello } from '../src/p2p/hello.js';
import { hex } from '../src/bytes.js';
import { mainnetToPrague } from './support.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

type Behaviour = (socket: net.Socket, key: KeyPair) => void;

/** A hostile server; `behaviour` gets each accepted socket. */
async function hostile(behaviour: Behaviour): Promise<{ port: number; enode: string }> {
  const key = KeyPair.generate();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    behaviour(s, key);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  const port = (server.address() as net.AddressInfo).port;
  return { port, enode: `enode://${hex(key.id)}@127.0.0.1:${port}` };
}

/** Reads the auth (EIP-8: 2-byte size prefix) and completes the RLPx handshake as the recipient. */
function acceptRlpx(socket: net.Socket, key: KeyPair, then: (frames: FrameCodec) => void): void {
  let buf = Buffer.alloc(0);
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    if (buf.length < 2) return;
    const size = buf.readUInt16BE(0) + 2;
    if (buf.length < size) return;
    socket.off('data', onData);
    const hs = new RlpxHandshake(key);
    hs.parseAuth(buf.subarray(0, size));
    socket.write(hs.createAck());
    then(new FrameCodec(hs.secrets()));
  };
  socket.on('data', onData);
}

const helloFrame = (frames: FrameCodec, key: KeyPair, capabilities: { name: string; version: number }[]) =>
  frames.encode(Buffer.concat([Buffer.from([0x80]), encodeHello({ p2pVersion: 5, clientId: 'hostile/v1', capabilities, listenPort: 0, nodeId: hex(key.id) })]));

async function dialled(target: { port: number; enode: string }): Promise<{ events: PeerEvent[]; run: PeerRun; started: number }> {
  const config = ethConfig({ network: mainnetToPrague, peers: [target.enode] });
  const events: PeerEvent[] = [];
  const started = Date.now();
  const run = runPeer({ id: 'p1', host: '127.0.0.1', port: target.port, protocol: ethereum, config, onEvent: (e) => events.push(e), timeouts: { handshakeMs: 1_500, stallMs: 1_000 } });
  cleanups.push(() => {
    run.stop();
    return run.done;
  });
  return { events, run, started };
}

const cases: [string, Behaviour, FailureReason | FailureReason[]][] = [
  ['bad ack (garbage of a plausible size)', (s) => s.once('data', () => s.write(Buffer.concat([Buffer.from([0x01, 0x00]), Buffer.alloc(256, 0x5a)]))), 'malformed'],
  ['oversize ack (size prefix 65,535)', (s) => s.once('data', () => s.write(Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.alloc(100)]))), 'oversize'],
  ['accepts and never answers', () => {}, 'timeout-handshake'],
  ['bad MAC after the handshake', (s, key) => acceptRlpx(s, key, () => s.write(Buffer.alloc(64, 0x33))), 'bad-checksum'],
  ['garbage after Hello', (s, key) => acceptRlpx(s, key, (f) => s.write(Buffer.concat([helloFrame(f, key, [{ name: 'eth', version: 68 }]), Buffer.alloc(64, 0x44)]))), 'bad-checksum'],
  ['Hello, then Status never sent', (s, key) => acceptRlpx(s, key, (f) => s.write(helloFrame(f, key, [{ name: 'eth', version: 68 }]))), 'timeout-handshake'],
  // No eth among them: refused as a protocol violation. (Its failure detail lists all 10,000 capabilities,
  // ~170 kB of peer-chosen text: see docs/reliability.md.)
  ['Hello with 10,000 capabilities', (s, key) => acceptRlpx(s, key, (f) => s.write(helloFrame(f, key, Array.from({ length: 10_000 }, (_, i) => ({ name: `c${i}`, version: i % 200 }))))), 'protocol-violation'],
  ['oversize frame (header claims 16 MiB, then silence)', (s, key) => acceptRlpx(s, key, (f) => s.write(f.encode(Buffer.alloc(16 * 1024 * 1024 - 1)).subarray(0, 4096))), ['timeout-stall', 'timeout-handshake']],
];

describe('hostile devp2p peers', () => {
  for (const [name, behaviour, expected] of cases) {
    it(`${name}: failed with a typed reason within its timeout`, async () => {
      const { events, started } = await dialled(await hostile(behaviour));
      const deadline = Date.now() + 8_000;
      let failed: PeerEvent | undefined;
      while (!(failed = events.find((e) => e.type === 'state' && (e.state === 'failed' || e.state === 'closed'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(failed, `${name}: ${JSON.stringify(events.slice(-3))}`).toBeDefined();
      const reason = failed!.type === 'state' ? failed!.reason : undefined;
      expect([expected].flat(), `${name}: ${failed!.type === 'state' ? failed!.detail?.slice(0, 200) : ''}`).toContain(reason);
      expect(failed!.at - started).toBeLessThan(4_000);
    }, 15_000);
  }
});
