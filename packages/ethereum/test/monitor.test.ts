// The Ethereum monitor (engine session + executors) against @ethereumjs/devp2p servers on loopback,
// found through given enodes or through a discv4 lookup from a loopback bootnode.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { DPT } from '@ethereumjs/devp2p';
import { createMonitor, type Monitor, type NetworkSnapshot, type PeerEvent } from '@peerscope/engine';
import { ethConfig, ethereum, keepDiscovering, protocolModule } from '../src/index.js';
import { freePort, mainnetToPrague, SERVER_CLIENT_ID, startDevP2P, until, type DevP2PServer } from './support.js';

describe.each([
  ['piscina pool (1 thread)', 1],
  ['in-process', 0],
])('Ethereum monitor, %s', (_name, threads) => {
  const servers: DevP2PServer[] = [];
  const dpts: DPT[] = [];
  let monitor: Monitor;
  const events: PeerEvent[] = [];
  const snapshots: NetworkSnapshot[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) servers.push(await startDevP2P());
    // A discv4 bootnode that knows the second server's node (as its own DPT, same key and ports).
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
    const boot = new DPT(new Uint8Array(randomBytes(32)), { endpoint: { address: '127.0.0.1', udpPort: servers[0].port, tcpPort: servers[0].port }, shouldGetDnsPeers: false, common });
    boot.events.on('error', () => {});
    boot.bind(servers[0].port, '127.0.0.1');
    dpts.push(boot);
    const nodeDpt = new DPT((servers[1].rlpx as unknown as { _privateKey: Uint8Array })._privateKey, { endpoint: { address: '127.0.0.1', udpPort: servers[1].port, tcpPort: servers[1].port }, shouldGetDnsPeers: false, common });
    nodeDpt.events.on('error', () => {});
    nodeDpt.bind(servers[1].port, '127.0.0.1');
    dpts.push(nodeDpt);
    await nodeDpt.bootstrap({ address: '127.0.0.1', udpPort: servers[0].port });

    const choice = threads === 1
      ? await ethereum({ network: mainnetToPrague, seeds: servers.map((s) => s.enode), pingIntervalMs: 300 })
      : await ethereum({ network: mainnetToPrague, bootnodes: [`enode://${hexId(boot)}@127.0.0.1:${servers[0].port}`], discoveryHost: '127.0.0.1', pingIntervalMs: 300 });
    monitor = createMonitor({ ...choice, target: 2, threads, intervalMs: 200, allow: ['127.0.0.0/8'], backoff: { baseMs: 100, maxMs: 1_000 } });
    monitor.events$.subscribe((e) => events.push(e));
    monitor.stats$.subscribe((s) => snapshots.push(s));
    await monitor.start();
  });

  afterAll(async () => {
    await monitor?.stop();
    for (const d of dpts) d.destroy();
    for (const s of servers) await s.close();
  });

  it('connects and reports each peer\'s handshake', async () => {
    const expected = threads === 1 ? 2 : 1; // discovery finds the one node the bootnode knows
    await until(events, () => (events.filter((e) => e.type === 'handshake').length >= expected ? true : undefined));
    const hs = events.filter((e) => e.type === 'handshake');
    for (const e of hs) {
      expect(e.type === 'handshake' && e.info.userAgent).toBe(SERVER_CLIENT_ID);
      expect(e.type === 'handshake' && e.info.details?.networkId).toBe(1);
    }
    if (threads === 0) expect(hs[0].address).toBe(`127.0.0.1:${servers[1].port}`);
  });

  it('shows RTT and traffic by message type in the snapshot', async () => {
    await until(events, () => (snapshots.at(-1)?.peers.some((p) => p.state === 'ready' && p.pingMs !== undefined) ? true : undefined));
    const peer = snapshots.at(-1)!.peers.find((p) => p.state === 'ready')!;
    expect(peer.byCommand.hello.messagesIn).toBe(1);
    expect(peer.byCommand.status.messagesOut).toBe(1);
    expect(peer.byCommand.pong.messagesIn).toBeGreaterThanOrEqual(1);
  });
});

function hexId(d: DPT): string {
  return Buffer.from(d.id!).toString('hex');
}

describe('Ethereum monitor fed by continuous discovery', () => {
  it('dials nodes discv4 finds after the monitor started, with their ids as the session keys', async () => {
    const server = await startDevP2P();
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
    const bootPort = await freePort();
    const boot = new DPT(new Uint8Array(randomBytes(32)), { endpoint: { address: '127.0.0.1', udpPort: bootPort, tcpPort: 0 }, shouldGetDnsPeers: false, common });
    boot.events.on('error', () => {});
    boot.bind(bootPort, '127.0.0.1');
    const config = ethConfig({ network: mainnetToPrague, pingIntervalMs: 300 });
    const monitor = createMonitor({ protocol: protocolModule, config, defaultPort: 30303, target: 1, threads: 0, allow: ['127.0.0.0/8'] });
    const events: PeerEvent[] = [];
    monitor.events$.subscribe((e) => events.push(e));
    await monitor.start();
    const found: string[][] = [];
    const discovering = await keepDiscovering({
      privateKey: config.privateKey, bootnodes: [`enode://${hexId(boot)}@127.0.0.1:${bootPort}`], host: '127.0.0.1', intervalMs: 200,
      onFound: (addresses) => {
        found.push(addresses);
        monitor.learn(addresses);
      },
    });
    // The server's node joins discovery only now, after the monitor and the first lookups started.
    const nodeDpt = new DPT((server.rlpx as unknown as { _privateKey: Uint8Array })._privateKey, { endpoint: { address: '127.0.0.1', udpPort: server.port, tcpPort: server.port }, shouldGetDnsPeers: false, common });
    nodeDpt.events.on('error', () => {});
    nodeDpt.bind(server.port, '127.0.0.1');
    await nodeDpt.bootstrap({ address: '127.0.0.1', udpPort: bootPort });
    try {
      const hs = await until(events, (e) => (e.type === 'handshake' ? e : undefined));
      expect(hs.address).toBe(`127.0.0.1:${server.port}`);
      expect(hs.type === 'handshake' && hs.info.userAgent).toBe(SERVER_CLIENT_ID);
      expect(found.flat()).toContain(`${hexId(nodeDpt)}@127.0.0.1:${server.port}`);
      expect(monitor.snapshot().addresses.known).toBeGreaterThanOrEqual(1);
    } finally {
      await discovering.stop();
      await monitor.stop();
      boot.destroy();
      nodeDpt.destroy();
      await server.close();
    }
  });
});
