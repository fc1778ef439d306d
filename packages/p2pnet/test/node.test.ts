import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PoolExecutor } from '@peerscope/engine';
import { ConnectError, Node, type NodeConnection, type NodeEventOf, type NodeOptions } from '../src/index.js';
import { HOST, next, startNode, until } from './helpers.js';

// Every connection runs on an executor: each behaviour is checked with the connections on the node's
// own thread and in a worker pool (one pool shared by all the nodes of a test, as an embedding program
// may share it; each node's own default pool is what the wire and CLI tests use).
const pool = new PoolExecutor({ threads: 1 });
afterAll(() => pool.close());
const executors: [string, Partial<NodeOptions>][] = [
  ['in-process', { threads: 0 }],
  ['worker pool', { executor: pool }],
];

const nodes: Node[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

for (const [where, placement] of executors) {
  describe(`connections ${where}`, () => {
    async function node(options: Partial<NodeOptions> = {}): Promise<Node> {
      const n = await startNode({ ...placement, ...options });
      nodes.push(n);
      return n;
    }
    async function link(a: Node, b: Node, reconnect = false): Promise<{ ab: NodeConnection; ba: NodeConnection }> {
      const inbound = next(b, 'inbound-node-connected');
      const ab = await a.connectWithNode(HOST, b.port, { reconnect });
      const [{ node: ba }] = await inbound;
      return { ab, ba };
    }

    for (const framing of ['eot', 'length'] as const) {
      describe(`node ↔ node, ${framing} framing`, () => {
        it('connects, tells both sides, and carries text, JSON and bytes both ways', async () => {
          const a = await node({ framing });
          const b = await node({ framing });
          const { ab, ba } = await link(a, b);
          expect(ab.id).toBe(b.id);
          expect(ba.id).toBe(a.id);
          expect(ba.port).toBe(a.port);
          expect(a.nodesOutbound).toEqual([ab]);
          expect(b.nodesInbound).toEqual([ba]);

          const atB = next(b, 'node-message', 5);
          const atA = next(a, 'node-message');
          a.sendToNode(ab, 'hello');
          a.sendToNode(ab, { list: [1, 2, 3], big: 2n ** 70n });
          a.sendToNode(ab, Uint8Array.from([0, 255, 7]));
          // Text beyond ASCII (framed by its UTF-8 length), and bytes that are a view into a larger buffer.
          a.sendToNode(ab, 'h\u00e9llo \u2713 \u{1f600}');
          a.sendToNode(ab, Buffer.from('..[0xfe]..', 'latin1').subarray(2, 8));
          ab.send(42);
          b.sendToNode(ba, 'reply');
          expect((await atB).map((m) => m.data)).toEqual([
            'hello', { list: [1, 2, 3], big: 2 ** 70 }, Uint8Array.from([0, 255, 7]), 'h\u00e9llo \u2713 \u{1f600}', '[0xfe]',
          ]);
          expect((await atA).map((m) => m.data)).toEqual(['reply']);
          expect(a.messageCount.sent).toBe(6);
          expect(b.messageCount.received).toBeGreaterThanOrEqual(3);
        });

        it('moves many messages in order', async () => {
          const a = await node({ framing });
          const b = await node({ framing });
          const { ab } = await link(a, b);
          const n = 5000;
          const all = next(b, 'node-message', n);
          for (let i = 0; i < n; i++) a.sendToNode(ab, { i, pad: 'x'.repeat(80) });
          const got = await all;
          expect(got.map((m) => (m.data as { i: number }).i)).toEqual([...Array(n).keys()]);
        });
      });
    }

    describe('node behaviour', () => {
      it('length framing carries payloads that contain 0x04', async () => {
        const a = await node({ framing: 'length' });
        const b = await node({ framing: 'length' });
        const { ab } = await link(a, b);
        const msg = next(b, 'node-message');
        a.sendToNode(ab, Uint8Array.from([4, 4, 0xff, 4]));
        expect((await msg)[0].data).toEqual(Uint8Array.from([4, 4, 0xff, 4]));
      });

      it('sendToNodes reaches every connection but the excluded ones', async () => {
        const hub = await node();
        const [x, y, z] = [await node(), await node(), await node()];
        for (const n of [x, y, z]) await link(n, hub);
        await new Promise((r) => setTimeout(r, 20));
        const atX = next(x, 'node-message');
        const atZ = next(z, 'node-message');
        let yGot = 0;
        y.on$('node-message').subscribe(() => yGot++);
        const excluded = hub.allNodes.find((c) => c.id === y.id)!;
        expect(hub.sendToNodes({ hi: 'all' }, { exclude: [excluded] })).toBe(2);
        expect((await atX)[0].data).toEqual({ hi: 'all' });
        expect((await atZ)[0].data).toEqual({ hi: 'all' });
        expect(yGot).toBe(0);
      });

      it('refuses to connect to itself', async () => {
        const a = await node();
        await expect(a.connectWithNode(HOST, a.port)).rejects.toMatchObject({ reason: 'self-connection' });
        // Through another name for the same socket the handshake catches it.
        await expect(a.connectWithNode('localhost', a.port)).rejects.toMatchObject({ reason: 'self-connection' });
        expect(a.allNodes).toEqual([]);
      });

      it('refuses a second connection to the same node, by address and by id', async () => {
        const a = await node();
        const b = await node();
        await link(a, b);
        await expect(a.connectWithNode(HOST, b.port)).rejects.toBeInstanceOf(ConnectError);
        await expect(a.connectWithNode(HOST, b.port)).rejects.toMatchObject({ reason: 'duplicate' });
        // b dialling back to a: a already holds a connection with b's id.
        await expect(b.connectWithNode(HOST, a.port)).rejects.toMatchObject({ reason: 'duplicate' });
        await new Promise((r) => setTimeout(r, 30));
        expect(a.allNodes.length).toBe(1);
        expect(b.allNodes.length).toBe(1);
      });

      it('reports a refused dial with its reason', async () => {
        const a = await node();
        const gone = await startNode(placement);
        const port = gone.port;
        await gone.stop();
        await expect(a.connectWithNode(HOST, port)).rejects.toMatchObject({ reason: 'refused' });
      });

      it('stop() returns promptly and the peers see the disconnect', async () => {
        const a = await node();
        const b = await node();
        await link(a, b);
        const seen = next(b, 'inbound-node-disconnected');
        const requested = next(a, 'node-request-to-stop');
        await a.stop();
        await requested;
        expect((await seen)[0].reason).toBe('closed-by-peer');
        expect(a.allNodes).toEqual([]);
      });

      it('reconnects with backoff when the outbound peer comes back', async () => {
        const a = await node({ reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
        const b1 = await startNode(placement);
        const port = b1.port;
        await link(a, b1, true);
        const lost = next(a, 'outbound-node-disconnected');
        const retries = next(a, 'reconnecting', 2);
        await b1.stop();
        expect((await lost)[0].reason).toBe('closed-by-peer');
        // The engine's backoff rule: initialDelayMs, then doubling.
        expect((await retries).map((r) => r.delayMs)).toEqual([20, 40]);
        const back = next(a, 'outbound-node-connected');
        const b2 = await node({ port });
        const [{ node: again }] = await back;
        expect(again.id).toBe(b2.id);
        expect(a.nodesOutbound.map((n) => n.id)).toEqual([b2.id]);
      });

      it('disconnectWithNode raises node-disconnect-with-outbound-node and does not reconnect', async () => {
        const a = await node({ reconnect: { initialDelayMs: 10 } });
        const b = await node();
        const { ab } = await link(a, b, true);
        const ev = next(a, 'node-disconnect-with-outbound-node');
        let reconnecting = 0;
        a.on$('reconnecting').subscribe(() => reconnecting++);
        await a.disconnectWithNode(ab);
        expect((await ev)[0].node).toBe(ab);
        await new Promise((r) => setTimeout(r, 50));
        expect(reconnecting).toBe(0);
        expect(a.allNodes).toEqual([]);
      });

      it('calls the overridable hooks with p2pnetwork meanings, and keeps per-connection info', async () => {
        const calls: string[] = [];
        class MyNode extends Node {
          override inboundNodeConnected(n: NodeConnection) {
            n.setInfo('greeted', true);
            calls.push('inbound-connected');
          }
          override nodeMessage(n: NodeConnection, data: unknown) {
            calls.push(`message:${String(data)}:${String(n.getInfo('greeted'))}`);
          }
          override inboundNodeDisconnected() {
            calls.push('inbound-disconnected');
          }
        }
        const a = new MyNode({ host: HOST, port: 0, ...placement });
        await a.start();
        nodes.push(a);
        const b = await node();
        const msg = next(a, 'node-message');
        const { ab } = await link(b, a);
        b.sendToNode(ab, 'hi');
        await msg;
        const gone = next(a, 'inbound-node-disconnected');
        await b.stop();
        await gone;
        expect(calls).toEqual(['inbound-connected', 'message:hi:true', 'inbound-disconnected']);
      });

      it('two nodes dialling each other at once end with exactly one connection, the one the smaller id dialled', async () => {
        for (let i = 0; i < 40; i++) {
          const a = await node();
          const b = await node();
          const [small, big] = a.id < b.id ? [a, b] : [b, a];
          const results = await Promise.allSettled([a.connectWithNode(HOST, b.port), b.connectWithNode(HOST, a.port)]);
          // The smaller id's dial always survives; the other one is refused or closed as a duplicate.
          expect(results[small === a ? 0 : 1].status).toBe('fulfilled');
          await until(() => small.allNodes.length === 1 && big.allNodes.length === 1
            && small.allNodes[0].direction === 'outbound' && big.allNodes[0].direction === 'inbound', 'one connection each side');
          expect(small.allNodes[0].id).toBe(big.id);
          expect(big.allNodes[0].id).toBe(small.id);
          const got = next(small, 'node-message');
          big.sendToNode(big.allNodes[0], `ping ${i}`);
          expect((await got)[0].data).toBe(`ping ${i}`);
          expect(small.allNodes.length).toBe(1);
          expect(big.allNodes.length).toBe(1);
          await Promise.all(nodes.splice(0).map((n) => n.stop()));
        }
      });

      it('a hook or subscriber that throws is reported as an error event and the connection lives on', async () => {
        class Buggy extends Node {
          override inboundNodeConnected(): void {
            throw new Error('bug in inboundNodeConnected');
          }
          override nodeMessage(_n: NodeConnection, data: unknown): void {
            if (data === 'boom') throw new TypeError('bug in nodeMessage');
          }
        }
        const a = new Buggy({ host: HOST, port: 0, ...placement });
        await a.start();
        nodes.push(a);
        const b = await node();
        const errors: NodeEventOf<'error'>[] = [];
        a.on$('error').subscribe((e) => errors.push(e));
        // A plain subscriber, and one behind an operator: both guarded.
        a.events$.subscribe((e) => {
          if (e.type === 'node-message' && e.data === 'sub') throw new RangeError('bug in a subscriber');
        });
        a.on$('node-message').subscribe(({ data }) => {
          if (data === 'sub') throw new Error('bug in an on$ subscriber');
        });
        const delivered: unknown[] = [];
        a.on$('node-message').subscribe(({ data }) => delivered.push(data));
        const { ab, ba } = await link(b, a);
        const last = next(a, 'node-message', 3);
        b.sendToNode(ab, 'boom');
        b.sendToNode(ab, 'sub');
        b.sendToNode(ab, 'still here');
        await last;
        expect(delivered).toEqual(['boom', 'sub', 'still here']);
        expect(errors.map((e) => [e.hook, e.message])).toEqual([
          ['inboundNodeConnected', 'bug in inboundNodeConnected'],
          ['nodeMessage', 'bug in nodeMessage'],
          ['subscriber:node-message', 'bug in a subscriber'],
          ['subscriber:node-message', 'bug in an on$ subscriber'],
        ]);
        expect(errors[1].error).toBeInstanceOf(TypeError);
        expect(errors[1].node).toBe(ba);
        expect(a.messageCount.errors).toBe(4);
        expect(a.allNodes).toEqual([ba]);
        expect(b.allNodes).toEqual([ab]);
        // A subscriber of 'error' itself that throws is counted, not reported again (no loop).
        a.on$('error').subscribe(() => {
          throw new Error('bug in an error subscriber');
        });
        const more = next(a, 'node-message');
        b.sendToNode(ab, 'boom');
        await more;
        expect(a.messageCount.errors).toBe(6);
        expect(errors).toHaveLength(5);
        expect(a.allNodes).toEqual([ba]);
      });

      it('honours maxConnections between peerscope nodes', async () => {
        const a = await node({ maxConnections: 2 });
        const others = [await node(), await node(), await node()];
        const accepted = next(a, 'inbound-node-connected', 2);
        const results = await Promise.allSettled(others.map((o) => o.connectWithNode(HOST, a.port)));
        expect(results.filter((r) => r.status === 'fulfilled').length).toBe(2);
        expect(results.filter((r) => r.status === 'rejected').length).toBe(1);
        await accepted;
        expect(a.nodesInbound.length).toBe(2);
      });
    });
  });
}
