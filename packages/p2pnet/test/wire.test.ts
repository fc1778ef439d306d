// Byte-level checks of every example in shared/P2PNETWORK-WIRE.md, with a raw socket on the other side.
import { afterEach, describe, expect, it } from 'vitest';
import { Node, type NodeConnection } from '../src/index.js';
import { HOST, ID_B, RawPeer, next, rawServer, startNode } from './helpers.js';

const nodes: Node[] = [];
const peers: RawPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function nodeA(options = {}): Promise<Node> {
  const a = await startNode({ id: 'node-A', ...options });
  nodes.push(a);
  return a;
}

/** B dials A, as in the capture. Returns the raw B and A's view of it. */
async function dialA(a: Node, first = `${ID_B}:8002`): Promise<{ b: RawPeer; node: NodeConnection }> {
  const connected = next(a, 'inbound-node-connected');
  const b = await RawPeer.connect(a.port);
  peers.push(b);
  b.write(first);
  const [{ node }] = await connected;
  return { b, node };
}

describe('the byte capture of P2PNETWORK-WIRE.md', () => {
  it('B dials A: id:port in, bare id out, then EOT-framed messages both ways', async () => {
    const a = await nodeA();
    const { b, node } = await dialA(a);
    expect(node.id).toBe(ID_B);
    expect(node.port).toBe(8002);
    expect(node.direction).toBe('inbound');
    expect((await b.until((r) => r.length >= 6)).toString()).toBe('node-A');
    b.take(6);

    const msgs = next(a, 'node-message', 4);
    b.write(Buffer.from('68656c6c6f2066726f6d204204', 'hex'));
    b.write(Buffer.from('000172617' + '7ff04', 'hex'));
    b.write('42\x04');
    b.write('eJzLSM3JyVdIK8rPVXACAB3CBEt6bGli\x02\x04');
    const got = (await msgs).map((m) => m.data);
    expect(got[0]).toBe('hello from B');
    expect(got[1]).toEqual(Uint8Array.from([0x00, 0x01, 0x72, 0x61, 0x77, 0xff]));
    expect(got[2]).toBe(42);
    expect(got[3]).toBe('hello from B');

    a.sendToNode(node, { type: 'ping', n: 1, ok: true });
    const ping = await b.until((r) => r.includes(4));
    expect(ping.length).toBe(37);
    expect(b.take(37).toString('latin1')).toBe('{"type": "ping", "n": 1, "ok": true}\x04');

    a.sendToNode(node, '42');
    expect((await b.until((r) => r.length >= 3)).toString('hex')).toBe('343204');
    b.take(3);

    a.sendToNode(node, 'two');
    a.sendToNode(node, 'msgs');
    expect((await b.until((r) => r.length >= 9)).toString('hex')).toBe('74776f046d73677304');
    expect(a.messageCount).toEqual({ sent: 4, received: 4, errors: 0 });
  });

  it('A dials B: sends id:port with no terminator and takes the bare reply as the id', async () => {
    const a = await nodeA();
    const server = await rawServer();
    const connecting = a.connectWithNode(HOST, server.port);
    const b = await server.peer;
    peers.push(b);
    const hello = await b.until((r) => r.length >= `node-A:${a.port}`.length);
    expect(hello.toString()).toBe(`node-A:${a.port}`);
    b.take(hello.length);
    b.write('node-B');
    const node = await connecting;
    expect(node.id).toBe('node-B');
    expect(node.port).toBe(server.port);
    expect(a.nodesOutbound).toEqual([node]);
    server.close();
  });

  it('keeps data that arrives together with the handshake (p2pnetwork crashes on a ":" in it)', async () => {
    const a = await nodeA();
    const msgs = next(a, 'node-message', 2);
    const { b } = await dialA(a, `${ID_B}:8002hello\x04key: value\x04`);
    expect((await msgs).map((m) => m.data)).toEqual(['hello', 'key: value']);
    expect((await b.until((r) => r.length >= 6)).toString()).toBe('node-A');
  });

  it('dialling: a message glued onto a default-id reply is kept as a message', async () => {
    const a = await nodeA();
    const server = await rawServer();
    const connecting = a.connectWithNode(HOST, server.port);
    const msg = next(a, 'node-message');
    const b = await server.peer;
    peers.push(b);
    await b.until((r) => r.length > 0);
    b.write(`${ID_B}hi\x04`);
    expect((await connecting).id).toBe(ID_B);
    expect((await msg)[0].data).toBe('hi');
    server.close();
  });

  it('reassembles split reads and splits coalesced ones', async () => {
    const a = await nodeA();
    const { b } = await dialA(a);
    const msgs = next(a, 'node-message', 3);
    const text = '{"split": "across reads"}';
    for (const ch of text) {
      b.write(ch);
      await new Promise((r) => setTimeout(r, 2));
    }
    b.write('\x04one\x04two\x04');
    expect((await msgs).map((m) => m.data)).toEqual([{ split: 'across reads' }, 'one', 'two']);
  });

  it('decodes str, JSON and bytes as p2pnetwork does', async () => {
    const a = await nodeA();
    const { b } = await dialA(a);
    const cases: [string | Buffer, unknown][] = [
      ['plain text', 'plain text'],
      ['"quoted"', 'quoted'],
      ['[1, 2, "x"]', [1, 2, 'x']],
      ['true', true],
      ['null', null],
      ['-3.5', -3.5],
      ['{"nested": {"a": [1]}}', { nested: { a: [1] } }],
      ['{not json', '{not json'],
      [Buffer.from('\ufeff42'), '\ufeff42'],
      ['h\u00e9llo \u2713', 'h\u00e9llo \u2713'],
      [Buffer.from([0xc3, 0x28]), Uint8Array.from([0xc3, 0x28])],
    ];
    const msgs = next(a, 'node-message', cases.length);
    for (const [wire] of cases) b.write(Buffer.concat([Buffer.from(wire), Buffer.from([4])]));
    expect((await msgs).map((m) => m.data)).toEqual(cases.map(([, value]) => value));
  });

  it('skips empty frames instead of stalling the stream (p2pnetwork stalls for good)', async () => {
    const a = await nodeA();
    const { b } = await dialA(a);
    const msgs = next(a, 'node-message', 2);
    b.write('\x04\x04abc\x04');
    b.write('\x04def\x04');
    expect((await msgs).map((m) => m.data)).toEqual(['abc', 'def']);
  });

  it('never sends an empty message, nor one that EOT framing would split', async () => {
    const a = await nodeA();
    const { node } = await dialA(a);
    expect(() => a.sendToNode(node, '')).toThrow(/empty message/);
    expect(() => a.sendToNode(node, new Uint8Array(0))).toThrow(/empty message/);
    expect(() => a.sendToNode(node, Uint8Array.from([1, 4, 2]))).toThrow(/0x04/);
    expect(() => a.sendToNode(node, 'a\x04b')).toThrow(/0x04/);
    expect(a.messageCount.sent).toBe(0);
  });

  it('counts the size limit in UTF-8 bytes, not characters', async () => {
    const a = await nodeA({ maxMessageSize: 30 });
    const { node } = await dialA(a);
    expect(() => a.sendToNode(node, '\u2713'.repeat(11))).toThrow(/33 bytes over the limit of 30/);
    expect(a.sendToNode(node, '\u2713'.repeat(10))).toBe(true);
  });

  it('notices a closed socket at once', async () => {
    const a = await nodeA();
    const { b, node } = await dialA(a);
    const gone = next(a, 'inbound-node-disconnected');
    b.socket.end();
    const [e] = await gone;
    expect(e.node).toBe(node);
    expect(e.reason).toBe('closed-by-peer');
    expect(a.allNodes).toEqual([]);
  });

  it('bounds the receive buffer: more than maxMessageSize without a terminator fails as oversize', async () => {
    const a = await nodeA({ maxMessageSize: 1000 });
    const { b } = await dialA(a);
    const gone = next(a, 'inbound-node-disconnected');
    b.write(Buffer.alloc(600, 0x61));
    b.write(Buffer.alloc(600, 0x61));
    const [e] = await gone;
    expect(e.reason).toBe('oversize');
    await b.untilClosed();
  });

  it('answers a self-connection attempt on the wire and refuses it', async () => {
    const a = await nodeA();
    const refused = next(a, 'inbound-refused');
    const b = await RawPeer.connect(a.port);
    peers.push(b);
    b.write(`node-A:${a.port}`);
    const [e] = await refused;
    expect(e.reason).toBe('self-connection');
    await b.untilClosed();
    expect(a.allNodes).toEqual([]);
  });

  it('a p2pnetwork dialer that sends no port: the TCP port stands in', async () => {
    const a = await nodeA();
    const { b, node } = await dialA(a, 'bare-id');
    expect(node.id).toBe('bare-id');
    expect(node.port).toBe(b.socket.localPort);
  });

  it('refuses inbound connections over maxConnections without a word', async () => {
    const a = await nodeA({ maxConnections: 1 });
    await dialA(a, 'first:1');
    const refused = next(a, 'inbound-refused');
    const second = await RawPeer.connect(a.port);
    peers.push(second);
    second.write('second:2');
    expect((await refused)[0].detail).toMatch(/maxConnections/);
    await second.untilClosed();
    expect(second.received.length).toBe(0);
    expect(a.nodesInbound.map((n) => n.id)).toEqual(['first']);
  });
});
