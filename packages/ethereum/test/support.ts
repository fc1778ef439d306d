import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Common, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { ETH, RLPx, type Peer } from '@ethereumjs/devp2p';
import type { PeerEvent } from '@peerscope/engine';
import { currentForkId, NETWORKS, type ChainParams } from '../src/index.js';
import { hex } from '../src/bytes.js';

/**
 * Mainnet as @ethereumjs/common 10.0.0 knows it: forks up to Prague. Its Status check rejects a
 * fork id it cannot place, so our side must not announce Osaka or later to it.
 */
export const mainnetToPrague: ChainParams = {
  ...NETWORKS.mainnet,
  forkTimes: NETWORKS.mainnet.forkTimes.slice(0, 3),
  bootnodes: [],
};

/**
 * A server for clients that announce mainnet's fork id of today (peerscope's CLI: it offers no way to
 * cut the fork schedule). @ethereumjs/common 10.0.0 knows no fork past Prague with a date and no BPO
 * forks at all, so its Osaka entry stands for "the fork of today", dated and carrying today's fork
 * hash: that hash is what its EIP-2124 check compares.
 */
export function mainnetTodayCommon(): Common {
  const forkHash = `0x${currentForkId(NETWORKS.mainnet).hash}`;
  const hardforks = Mainnet.hardforks.map((hf) =>
    hf.name === Hardfork.Osaka ? { ...hf, timestamp: String(NETWORKS.mainnet.forkTimes[3]), forkHash } : hf);
  return createCustomCommon({ hardforks }, Mainnet, { hardfork: Hardfork.Osaka });
}

export interface DevP2PServer {
  rlpx: RLPx;
  port: number;
  id: string;
  enode: string;
  peers: Peer[];
  statuses: Array<{ chainId: Uint8Array; td: Uint8Array; bestHash: Uint8Array; genesisHash: Uint8Array; forkId?: Uint8Array[] }>;
  close(): Promise<void>;
}

export const SERVER_CLIENT_ID = 'ethereumjs-test/v10.0.0';
export const SERVER_BEST = '0x' + 'ab'.repeat(32);

export async function startDevP2P(options: { capabilities?: Array<typeof ETH.eth68>; onPeer?: (peer: Peer) => void; common?: Common } = {}): Promise<DevP2PServer> {
  const common = options.common ?? new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
  const key = new Uint8Array(randomBytes(32));
  const port = await freePort();
  const rlpx = new RLPx(key, {
    common,
    capabilities: options.capabilities ?? [ETH.eth68],
    listenPort: port,
    maxPeers: 64,
    clientId: new TextEncoder().encode(SERVER_CLIENT_ID),
  });
  rlpx.events.on('error', () => {});
  const server: DevP2PServer = {
    rlpx,
    port,
    id: hex(rlpx.id),
    enode: `enode://${hex(rlpx.id)}@127.0.0.1:${port}`,
    peers: [],
    statuses: [],
    close: async () => {
      try {
        rlpx.destroy();
      } catch {
        // already destroyed
      }
    },
  };
  rlpx.events.on('peer:added', (peer: Peer) => {
    server.peers.push(peer);
    peer.events.on('error', () => {});
    const eth = peer.getProtocols()[0] as InstanceType<typeof ETH>;
    eth.events.on('status', (status: DevP2PServer['statuses'][number]) => server.statuses.push(status));
    eth.sendStatus({
      td: Uint8Array.of(1),
      bestHash: Buffer.from(SERVER_BEST.slice(2), 'hex'),
      genesisHash: Buffer.from(NETWORKS.mainnet.genesisHash.slice(2), 'hex'),
    });
    options.onPeer?.(peer);
  });
  rlpx.events.on('peer:error', () => {});
  await new Promise<void>((resolve) => {
    rlpx.events.once('listening', () => resolve());
    rlpx.listen(port, '127.0.0.1');
  });
  return server;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function until<T>(events: PeerEvent[], pick: (e: PeerEvent) => T | undefined, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      for (const e of events) {
        const v = pick(e);
        if (v !== undefined) return resolve(v);
      }
      if (Date.now() - started > timeoutMs) return reject(new Error('event did not arrive'));
      setTimeout(check, 10);
    };
    check();
  });
}
