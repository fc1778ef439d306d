// The views are pure: a snapshot in, text out. Built here from recorded events through the engine's reducers.
import { describe, expect, it } from 'vitest';
import { buildSnapshot, StatsCollector, type PeerEvent, type PeerEventBody } from '@peerscope/engine';
import type { NodeEvent } from '@peerscope/p2pnet';
import { jsonLine } from '../src/views/json.js';
import { nodeEventJson, nodeEventText } from '../src/views/node-events.js';
import { networkSummary, peerTable, renderTable } from '../src/views/table.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
let at = T0;
const ev = (peer: string, address: string, body: PeerEventBody): PeerEvent => ({ ...body, peer, address, at: (at += 100) } as PeerEvent);

function snapshot() {
  at = T0;
  const c = new StatsCollector();
  const a = '127.0.0.1:18444';
  const b = '127.0.0.2:18444';
  for (const e of [
    ev('p1', a, { type: 'state', state: 'connecting' }),
    ev('p1', a, { type: 'state', state: 'handshaking' }),
    ev('p1', a, { type: 'handshake', info: { version: 70015, userAgent: '/bcoin:v1.0.2/', services: ['NETWORK', 'WITNESS'], startHeight: 7, details: { capabilities: ['eth/68', 'eth/67'] } } }),
    ev('p1', a, { type: 'state', state: 'ready' }),
    ev('p1', a, { type: 'message', dir: 'in', command: 'headers', bytes: 106, count: 2 }),
    ev('p1', a, { type: 'height', height: 9 }),
    ev('p1', a, { type: 'rtt', ms: 1.234 }),
    ev('p2', b, { type: 'state', state: 'connecting' }),
    ev('p2', b, { type: 'state', state: 'failed', reason: 'closed-by-peer', detail: 'too-many-peers' }),
  ]) c.apply(e);
  return buildSnapshot({ peers: c.peers.values(), totals: c.totals, target: 2, startedAt: T0, now: T0 + 5_000 });
}

describe('views', () => {
  const ctx = { title: 'bitcoin regtest', intervalMs: 5_000 };

  it('summarises the network in a few lines', () => {
    expect(networkSummary(snapshot(), ctx).split('\n')).toEqual([
      'peerscope · bitcoin regtest · 12:00:05 UTC · up 0:05 · every 5s',
      'peers 1/2 ready · 0 connecting · 1 failed · handshakes 1 ok, 0 failed · addresses 2 known, 2 tried',
      'traffic in 0.4 msg/s 21 B/s · out 0 msg/s 0 B/s · total in 2 msgs 106 B, out 0 msgs 0 B',
      'height 9 (1 of 1 peers) · agents /bcoin:v1.0.2/ ×1',
      'failures closed-by-peer ×1',
    ]);
  });

  it('draws one row per peer, with the failure reason and its short detail, and protocol columns on request', () => {
    const rows = peerTable(snapshot(), [{ header: 'CAPS', detail: 'capabilities' }]).split('\n');
    expect(rows[0]).toMatch(/^ADDRESS\s+STATE\s+AGENT\s+VER\s+SERVICES\s+START\s+BEST\s+CAPS\s+PING ms \(min\)/);
    expect(rows[1]).toMatch(/^127\.0\.0\.1:18444\s+ready 0:04\s+\/bcoin:v1\.0\.2\/\s+70015\s+NETWORK,WITNESS\s+7\s+9\s+eth\/68,eth\/67\s+1\.23 \(1\.23\)\s+2 \/ 106 B\s+0 \/ 0 B\s+0\s+headers:2$/);
    expect(rows[2]).toMatch(/^127\.0\.0\.2:18444\s+failed: closed-by-peer \(too-many-peers\)\s+-/);
  });

  it('renders the same snapshot the same way, and as one JSON line', () => {
    const s = snapshot();
    expect(renderTable(s, ctx)).toBe(renderTable(snapshot(), ctx));
    const line = jsonLine('snapshot', s, { network: 'regtest' });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({ type: 'snapshot', network: 'regtest', ready: 1, consensus: { height: 9, peers: 1 } });
  });
});

describe('node event views', () => {
  const conn = (host: string, port: number, id: string) =>
    ({ host, port, id, toJSON: () => ({ id, host, port, direction: 'outbound' }) }) as unknown as Extract<NodeEvent, { node: unknown }>['node'];

  it('spells addresses as host:port, IPv6 in brackets', () => {
    expect(nodeEventText({ type: 'outbound-node-connected', node: conn('127.0.0.1', 8001, 'node-A') })).toBe('connected to 127.0.0.1:8001 (node-A)');
    expect(nodeEventText({ type: 'inbound-node-connected', node: conn('::1', 8001, 'f'.repeat(128)) })).toBe(`connected from [::1]:8001 (${'f'.repeat(16)}…)`);
    expect(nodeEventText({ type: 'connect-failed', host: '::1', port: 8002, reason: 'refused' })).toBe('cannot connect to [::1]:8002: refused');
    expect(nodeEventText({ type: 'reconnecting', host: 'node.example', port: 8003, attempt: 2, delayMs: 500 })).toBe('reconnecting to node.example:8003 in 500 ms (attempt 2)');
  });

  it('writes an event as JSON: the connection as its toJSON, bytes as hex, no Error objects', () => {
    const node = conn('::1', 8001, 'node-A');
    expect(nodeEventJson({ type: 'node-message', node, data: Uint8Array.of(1, 255) })).toEqual({
      event: 'node-message', node: { id: 'node-A', host: '::1', port: 8001, direction: 'outbound' }, data: { bytes: '01ff' },
    });
    expect(nodeEventJson({ type: 'error', hook: 'nodeMessage', error: new Error('boom'), message: 'boom' })).toEqual({ event: 'error', hook: 'nodeMessage', message: 'boom' });
  });
});
