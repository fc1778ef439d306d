// Interop with @ethereumjs/devp2p 10 on loopback: an independently written RLPx/eth implementation.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ETH } from '@ethereumjs/devp2p';
import { type PeerEvent } from '@peerscope/engine';
import { runPeer, type PeerRun } from '@peerscope/engine/protocol';
import ethereum, { protocolModule } from '../src/protocol.js';
import { ethConfig, type EthConfig } from '../src/index.js';
import { mainnetToPrague, SERVER_BEST, SERVER_CLIENT_ID, startDevP2P, until, freePort, type DevP2PServer } from './support.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(options?: Parameters<typeof startDevP2P>[0]): Promise<DevP2PServer> {
  const s = await startDevP2P(options);
  cleanups.push(() => s.close());
  return s;
}

function dial(target: DevP2PServer, extra: Partial<EthConfig> = {}): { run: PeerRun; events: PeerEvent[]; config: EthConfig } {
  const config = { ...ethConfig({ network: mainnetToPrague, peers: [target.enode] }), ...extra };
  const events: PeerEvent[] = [];
  const run = runPeer({ id: 'p1', host: '127.0.0.1', port: target.port, protocol: ethereum, config, onEvent: (e) => events.push(e) });
  cleanups.push(() => { run.stop(); return run.done; });
  return { run, events, config };
}

describe('ethereum protocol against @ethereumjs/devp2p', () => {
  it('exports the Protocol as default and its module specifier', () => {
    expect(ethereum.name).toBe('ethereum');
    expect(protocolModule).toMatch(/protocol\.(ts|js)$/);
  });

  it('completes RLPx, Hello and Status; reports the peer as it describes itself', async () => {
    const s = await server();
    const { events, config } = dial(s);
    const info = await until(events, (e) => (e.type === 'handshake' ? e.info : undefined));
    expect(info.version).toBe(68);
    expect(info.userAgent).toBe(SERVER_CLIENT_ID);
    expect(info.details).toMatchObject({
      enode: s.enode,
      capabilities: ['eth/68'],
      p2pVersion: 5,
      networkId: 1,
      forkId: '0xc376cf8b/0',
      bestHash: SERVER_BEST,
      td: '1',
      genesis: mainnetToPrague.genesisHash,
    });
    // its server accepted our Hello and our Status (it validates the fork id against its Common)
    await until(events, () => (s.statuses.length > 0 ? true : undefined));
    expect(s.peers[0].getHelloMessage()?.clientId).toBe(config.clientId);
    expect(Buffer.from(s.statuses[0].genesisHash).toString('hex')).toBe(mainnetToPrague.genesisHash.slice(2));
    const ready = await until(events, (e) => (e.type === 'state' && e.state === 'ready' ? e : undefined));
    expect(ready).toBeDefined();
    const commands = events.filter((e) => e.type === 'message').map((e) => `${e.dir}:${e.command}`);
    expect(commands.slice(0, 2)).toEqual(['out:auth', 'in:ack']);
    // Its Hello often arrives in the same read as its ack; traffic is reported per read, before we answer.
    expect(commands.slice(2, 4).sort()).toEqual(['in:hello', 'out:hello']);
    expect(commands).toContain('in:status');
    expect(commands).toContain('out:status');
  });

  it('measures Ping/Pong RTT', async () => {
    const s = await server();
    const { events } = dial(s);
    const ms = await until(events, (e) => (e.type === 'rtt' ? e.ms : undefined));
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(events.some((e) => e.type === 'message' && e.dir === 'in' && e.command === 'pong')).toBe(true);
  });

  it('reports the reason of a Disconnect', async () => {
    const s = await server({ onPeer: (peer) => setTimeout(() => peer.disconnect(0x04), 50) });
    const { run, events } = dial(s);
    const end = await run.done;
    expect(end).toMatchObject({ state: 'failed', reason: 'closed-by-peer', detail: 'too-many-peers' });
    expect(events.some((e) => e.type === 'message' && e.dir === 'in' && e.command === 'disconnect')).toBe(true);
  });

  it('answers requests with empty responses and reports announced heights', async () => {
    const answers: unknown[][] = [];
    const s = await server({
      onPeer: (peer) => {
        const eth = peer.getProtocols()[0] as InstanceType<typeof ETH>;
        eth.events.on('message', (code: number, payload: unknown[]) => code !== 0 && answers.push([code, payload]));
        eth.events.once('status', () => {
          eth.sendMessage(0x01, [[new Uint8Array(32).fill(7), Uint8Array.of(0x01, 0x00)]]); // NewBlockHashes, block 256
          eth.sendMessage(0x03, [Uint8Array.of(42), [Uint8Array.of(1), Uint8Array.of(1), new Uint8Array(0), new Uint8Array(0)]]); // GetBlockHeaders
        });
      },
    });
    const { events } = dial(s);
    expect(await until(events, (e) => (e.type === 'height' ? e.height : undefined))).toBe(256);
    await until(events, () => (answers.length > 0 ? true : undefined));
    const [code, payload] = answers[0] as [number, Uint8Array[]];
    expect(code).toBe(0x04); // BlockHeaders
    expect(payload[0]).toEqual(Uint8Array.of(42)); // the request id, echoed
    expect(payload[1]).toEqual([]);
    expect(events.some((e) => e.type === 'message' && e.dir === 'in' && e.command === 'eth:GetBlockHeaders')).toBe(true);
    expect(events.some((e) => e.type === 'message' && e.dir === 'out' && e.command === 'eth:BlockHeaders')).toBe(true);
  });

  it('speaks eth/67 when that is all the peer offers', async () => {
    const s = await server({ capabilities: [ETH.eth67] });
    const { events } = dial(s);
    const info = await until(events, (e) => (e.type === 'handshake' ? e.info : undefined));
    expect(info.version).toBe(67);
    expect(info.details?.capabilities).toEqual(['eth/67']);
  });

  it('fails without a node id to encrypt the auth to', async () => {
    const s = await server();
    const { run } = dial(s, { nodeIds: {} });
    expect(await run.done).toMatchObject({ state: 'failed', reason: 'protocol-violation' });
  });

  it('accepts a connection from @ethereumjs/devp2p (inbound handshake)', async () => {
    const s = await server();
    const config = ethConfig({ network: mainnetToPrague });
    const port = await freePort();
    const events: PeerEvent[] = [];
    const listener = net.createServer((socket) => {
      const run = runPeer({ id: 'in1', host: socket.remoteAddress!, port: socket.remotePort!, socket, protocol: ethereum, config, onEvent: (e) => events.push(e) });
      cleanups.push(() => { run.stop(); return run.done; });
    });
    await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => listener.close(resolve)));
    const { KeyPair } = await import('../src/rlpx/crypto.js');
    const ourId = KeyPair.fromPrivate(config.privateKey).id;
    await s.rlpx.connect({ id: ourId, address: '127.0.0.1', tcpPort: port });
    const info = await until(events, (e) => (e.type === 'handshake' ? e.info : undefined));
    expect(info.userAgent).toBe(SERVER_CLIENT_ID);
    expect(events.find((e) => e.type === 'message' && e.dir === 'in')).toMatchObject({ command: 'auth' });
  });
});
