// Issue 9, hostile kinds against our RLPx server side: a listener on the in-process executor, as the
// monitor opens it. Garbage instead of an auth fails that connection with a typed reason; a storm of
// connections opened and closed at once leaves none behind; an honest @ethereumjs/devp2p peer is
// accepted afterwards each time.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessExecutor, type PeerEvent } from '@peerscope/engine';
import { ethConfig, protocolModule } from '../src/index.js';
import { KeyPair } from '../src/rlpx/crypto.js';
import { mainnetToPrague, SERVER_CLIENT_ID, startDevP2P } from './support.js';
import { until } from '../../../test/support/until.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function listener() {
  const executor = new InProcessExecutor();
  cleanups.push(() => executor.close());
  const events: PeerEvent[] = [];
  executor.events$.subscribe((e) => events.push(e));
  const config = ethConfig({ network: mainnetToPrague });
  const l = await executor.listen({ id: 'in', host: '127.0.0.1', port: 0, protocol: protocolModule, config, timeouts: { handshakeMs: 3_000 } });
  const ends = () => events.filter((e) => e.type === 'state' && (e.state === 'failed' || e.state === 'closed'));
  const accepted = () => events.filter((e) => e.type === 'state' && e.state === 'connecting');
  return { executor, events, port: l.port, id: KeyPair.fromPrivate(config.privateKey).id, ends, accepted };
}

/** An honest @ethereumjs/devp2p node dials the listener and completes Hello and Status. */
async function expectHonestAccepted(l: Awaited<ReturnType<typeof listener>>) {
  const s = await startDevP2P();
  cleanups.push(() => s.close());
  const before = l.events.length;
  await s.rlpx.connect({ id: l.id, address: '127.0.0.1', tcpPort: l.port });
  await until(() => l.events.slice(before).some((e) => e.type === 'handshake'), 'the honest peer\'s handshake', 15_000);
  const hs = l.events.slice(before).find((e) => e.type === 'handshake');
  expect(hs).toMatchObject({ info: { userAgent: SERVER_CLIENT_ID } });
}

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

describe('hostile devp2p peers dialling our listener (issue 9)', () => {
  it('garbage instead of an auth fails that connection with a typed reason; the listener keeps serving', async () => {
    const l = await listener();
    const garbage: Buffer[] = [
      Buffer.alloc(400, 0x5a), // legacy-sized nonsense
      Buffer.concat([Buffer.from([0x01, 0x00]), Buffer.alloc(256, 0x33)]), // an EIP-8 size prefix over nonsense
      Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.alloc(100, 0x44)]), // claims 65,535 bytes
    ];
    const sockets = await Promise.all(garbage.map(() => open(l.port)));
    sockets.forEach((s, i) => { s.on('error', () => {}); s.write(garbage[i]); });
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    await until(() => l.ends().length >= garbage.length, 'every garbage connection to fail', 15_000);
    const reasons = l.ends().map((e) => (e.type === 'state' ? e.reason : undefined));
    // Refused on sight, never timed out: 400 bytes of 0x5a read as an EIP-8 size prefix of 23,132 bytes
    // (over the handshake packet limit), the same for a prefix of 65,535; 256 bytes that are not ECIES.
    expect(reasons.sort()).toEqual(['malformed', 'oversize', 'oversize']);
    await expectHonestAccepted(l);
  }, 40_000);

  it('a disconnect storm (200 connections opened and closed at once) leaves none behind; the listener still serves', async () => {
    const l = await listener();
    const N = 200;
    const sockets = await Promise.all(Array.from({ length: N }, () => open(l.port)));
    // half close politely, half reset; some after sending a partial auth
    sockets.forEach((s, i) => {
      s.on('error', () => {});
      if (i % 3 === 0) s.write(Buffer.from([0x01, 0x00, 0x04]));
      if (i % 2 === 0) s.end(); else s.resetAndDestroy();
    });
    await until(() => l.accepted().length >= N, 'every storm connection accepted', 20_000);
    await until(() => l.ends().length >= N, 'every storm connection ended', 20_000);
    for (const e of l.ends()) expect(['closed-by-peer', 'reset', 'malformed', 'timeout-handshake']).toContain(e.type === 'state' ? e.reason : undefined);
    // none left running
    const ids = new Set(l.accepted().map((e) => e.peer));
    expect(ids.size).toBe(N);
    await until(() => [...ids].every((id) => l.executor.peer(id) === undefined), 'no storm peer left running', 10_000);
    await expectHonestAccepted(l);
  }, 60_000);
});
