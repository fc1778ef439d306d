// Regression tests of issue 9's JSON-RPC defects (5 and 10): hostile endpoints on loopback.
import http from 'node:http';
import type net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES, parseRpcResponse, pollEach, rpcCall, RpcError, type RpcSnapshot } from '../src/rpc/index.js';

const servers: http.Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** An endpoint; `handler` gets the request's parsed JSON body. */
async function endpoint(handler: (body: { id: number; method: string }, res: http.ServerResponse) => void): Promise<{ url: string; written: () => number }> {
  let written = 0;
  const s = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const write = res.write.bind(res);
      res.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
        written += Buffer.byteLength(chunk);
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof res.write;
      handler(JSON.parse(text), res);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`, written: () => written };
}

function stream(res: http.ServerResponse, chunk: Buffer, limit: number): void {
  let sent = 0;
  const go = () => {
    while (!res.destroyed && sent < limit) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', go);
    }
    res.end();
  };
  go();
}

describe('hostile JSON-RPC endpoints', () => {
  it('defect 5: an endless body is cut at the cap while it streams, memory stays bounded', async () => {
    const { url, written } = await endpoint((_b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked, no length
      res.write('{"jsonrpc":"2.0","id":1,"result":"');
      stream(res, Buffer.alloc(64 * 1024, 0x61), Number.MAX_SAFE_INTEGER);
    });
    const before = process.memoryUsage().rss;
    const started = Date.now();
    await expect(rpcCall(url, 'eth_blockNumber', [], { timeoutMs: 20_000 })).rejects.toMatchObject({ kind: 'http', message: expect.stringMatching(/over 8388608 bytes/) });
    expect(Date.now() - started).toBeLessThan(5_000);
    // It would have grown to gigabytes; reading stopped at the cap (the body string is ~8 MB).
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 100));
    const afterCut = written();
    await new Promise((r) => setTimeout(r, 200));
    expect(written() - afterCut).toBeLessThan(4 * 1024 * 1024); // the connection was closed, not drained
  });

  it('defect 5: a 100 MB JSON (chunked) and a 100 MB Content-Length are refused', async () => {
    const chunked = await endpoint((b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"jsonrpc":"2.0","id":${b.id},"result":[`);
      stream(res, Buffer.from('"0x1",'.repeat(10_000)), 100 * 1024 * 1024);
    });
    await expect(rpcCall(chunked.url, 'eth_accounts')).rejects.toMatchObject({ kind: 'http' });
    const declared = await endpoint((_b, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) });
      res.write('{');
    });
    await expect(rpcCall(declared.url, 'eth_accounts')).rejects.toMatchObject({ kind: 'http', message: expect.stringMatching(/104857600 bytes/) });
    expect(MAX_RESPONSE_BYTES).toBe(8 * 1024 * 1024);
  });

  it('defect 10: a result with another request\'s id is refused; the right id is accepted', async () => {
    const wrong = await endpoint((b, res) => res.end(JSON.stringify({ jsonrpc: '2.0', id: b.id + 1, result: '0x10' })));
    await expect(rpcCall(wrong.url, 'eth_blockNumber')).rejects.toMatchObject({ kind: 'non-json', message: expect.stringMatching(/does not match request id/) });
    const right = await endpoint((b, res) => res.end(JSON.stringify({ jsonrpc: '2.0', id: b.id, result: '0x10' })));
    await expect(rpcCall(right.url, 'eth_blockNumber')).resolves.toBe('0x10');
    expect(() => parseRpcResponse('{"jsonrpc":"2.0","id":"7","result":1}', 7)).toThrow(RpcError);
  });

  it('defect 5: an endpoint that hangs after its headers times out, and does not starve an honest one polled beside it', async () => {
    const hanging = await endpoint((_b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    await expect(rpcCall(hanging.url, 'eth_blockNumber', [], { timeoutMs: 300 })).rejects.toMatchObject({ kind: 'timeout' });
    const honest = await endpoint((b, res) => res.end(JSON.stringify({ jsonrpc: '2.0', id: b.id, result: b.method === 'eth_syncing' ? false : '0x1' })));
    const polls = new Map<string, RpcSnapshot[]>();
    const stop = new AbortController();
    const done = pollEach([hanging.url, honest.url], { intervalMs: 100, timeoutMs: 1_000, signal: stop.signal }, (s) => {
      polls.set(s.url, [...(polls.get(s.url) ?? []), s]);
    });
    await new Promise((r) => setTimeout(r, 2_000));
    stop.abort();
    await done;
    // Polled together, the honest endpoint waited for the hanging one's timeout each round (2 polls in 2 s).
    expect(polls.get(honest.url)?.length ?? 0).toBeGreaterThanOrEqual(10);
    expect(polls.get(hanging.url)?.length ?? 0).toBeLessThanOrEqual(2);
    expect(polls.get(hanging.url)?.[0]?.error?.kind).toBe('timeout');
  });
});
