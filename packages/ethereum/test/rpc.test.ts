// JSON-RPC poller against ganache 7 on loopback, plus endpoints that are down, garbage or slow.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ganache from 'ganache';
import { getBlock, getTransaction, pollEndpoint, rpcCall } from '../src/rpc/index.js';
import { freePort } from './support.js';

let url: string;
let server: ReturnType<typeof ganache.server>;
const extras: http.Server[] = [];

async function httpServer(handler: http.RequestListener): Promise<string> {
  const port = await freePort();
  const s = http.createServer(handler);
  extras.push(s);
  await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  const port = await freePort();
  server = ganache.server({ logging: { quiet: true }, chain: { chainId: 1337, networkId: 5777 }, wallet: { totalAccounts: 2 } });
  await server.listen(port, '127.0.0.1');
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server?.close();
  for (const s of extras) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('pollEndpoint against ganache', () => {
  it('reports every polled field', async () => {
    const s = await pollEndpoint(url);
    expect(s.error).toBeUndefined();
    expect(s.errors).toEqual({});
    expect(s.clientVersion).toMatch(/Ganache/i);
    expect(s.networkId).toBe('5777');
    expect(s.chainId).toBe(1337);
    expect(s.listening).toBe(true);
    expect(s.peerCount).toBe(0);
    expect(s.syncing).toBe(false);
    expect(typeof s.mining).toBe('boolean');
    expect(BigInt(s.gasPrice!)).toBeGreaterThan(0n);
    expect(s.blockNumber).toBe(s.latestBlock!.number);
    expect(s.latestBlock).toMatchObject({ hash: expect.stringMatching(/^0x[0-9a-f]{64}$/), parentHash: expect.stringMatching(/^0x[0-9a-f]{64}$/), transactionCount: 0 });
    expect(s.latestBlock!.timestamp).toBeGreaterThan(1_600_000_000);
    expect(structuredClone(s)).toEqual(s);
  });

  it('shows a block mined with evm_mine at the next poll', async () => {
    const before = await pollEndpoint(url);
    await rpcCall(url, 'evm_mine');
    const after = await pollEndpoint(url);
    expect(after.blockNumber).toBe(before.blockNumber! + 1);
    expect(after.latestBlock!.parentHash).toBe(before.latestBlock!.hash);
  });

  it('answers one-shot queries: a block by number with its transaction count, a transaction by hash', async () => {
    const accounts = await rpcCall<string[]>(url, 'eth_accounts');
    const hash = await rpcCall<string>(url, 'eth_sendTransaction', [{ from: accounts[0], to: accounts[1], value: '0x2a' }]);
    const tx = await getTransaction(url, hash);
    expect(tx).toMatchObject({ hash, from: accounts[0].toLowerCase(), to: accounts[1].toLowerCase(), value: '42' });
    expect(tx!.blockNumber).not.toBeNull();
    const block = await getBlock(url, tx!.blockNumber!);
    expect(block).toMatchObject({ number: tx!.blockNumber, transactionCount: 1 });
    expect(await getBlock(url, 10_000_000)).toBeNull();
    expect(await getTransaction(url, '0x' + '00'.repeat(32))).toBeNull();
  });
});

describe('pollEndpoint against broken endpoints', () => {
  it('reports an endpoint that is down as unreachable', async () => {
    const port = await freePort();
    const s = await pollEndpoint(`http://127.0.0.1:${port}`);
    expect(s.error?.kind).toBe('unreachable');
    expect(s.errors.clientVersion?.kind).toBe('unreachable');
  });

  it('reports garbage as non-json, an HTTP error as http, a JSON-RPC error as rpc-error', async () => {
    const garbage = await httpServer((_req, res) => res.end('<html>hello</html>'));
    expect((await pollEndpoint(garbage)).error?.kind).toBe('non-json');
    const http500 = await httpServer((_req, res) => { res.statusCode = 502; res.end('bad gateway'); });
    expect((await pollEndpoint(http500)).error).toMatchObject({ kind: 'http', message: expect.stringContaining('502') });
    const refusing = await httpServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'method not found' } })));
    });
    expect((await pollEndpoint(refusing)).error).toMatchObject({ kind: 'rpc-error', message: 'method not found' });
  });

  it('reports a slow endpoint as timeout while a good one polled alongside is fine', async () => {
    const slow = await httpServer(() => { /* never answers */ });
    const [a, b] = await Promise.all([pollEndpoint(slow, { timeoutMs: 300 }), pollEndpoint(url, { timeoutMs: 5000 })]);
    expect(a.error?.kind).toBe('timeout');
    expect(b.error).toBeUndefined();
  });
});
