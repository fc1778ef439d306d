// The views are pure: a snapshot in, text out. Built here from recorded events through the engine's reducers.
import { describe, expect, it } from 'vitest';
import { buildSnapshot, RunLedger, StatsCollector, type PeerEvent, type PeerEventBody } from '@peerscope/engine';
import type { NodeEvent } from '@peerscope/p2pnet';
import { rowNotices, startNotices } from '../src/live.js';
import { fitColumns, peerColumns, shortServices } from '../src/views/columns.js';
import { csvHeader, csvSummaryRow } from '../src/views/csv.js';
import { ndjson } from '../src/views/json.js';
import { nodeEventJson, nodeEventText } from '../src/views/node-events.js';
import { peerRows } from '../src/views/rows.js';
import { rpcTable } from '../src/views/rpc-table.js';
import { escapeControls } from '../src/views/sanitize.js';
import { headerLines, INITIAL_SCREEN, renderScreen } from '../src/views/screen.js';
import { COLOUR } from '../src/views/style.js';
import { summaryRecord, summaryText } from '../src/views/summary.js';
import { renderPlain } from '../src/views/table.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
let at = T0;
const ev = (peer: string, address: string, body: PeerEventBody): PeerEvent => ({ ...body, peer, address, at: (at += 100) } as PeerEvent);

function session() {
  at = T0;
  const c = new StatsCollector();
  const ledger = new RunLedger(T0);
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
    ev('p3', b, { type: 'state', state: 'connecting' }),
    ev('p3', b, { type: 'state', state: 'failed', reason: 'bad-magic', detail: 'peer speaks testnet3; try --network testnet3 (magic 0x0709110b, expected regtest\'s 0xdab5bffa)' }),
  ]) {
    c.apply(e);
    ledger.apply(e);
  }
  const snapshot = buildSnapshot({ peers: c.peers.values(), totals: c.totals, target: 2, startedAt: T0, now: T0 + 5_000 });
  return { snapshot, ledger };
}

function input() {
  const { snapshot, ledger } = session();
  const rows = peerRows(snapshot, ledger);
  return {
    snapshot, rows, title: 'bitcoin regtest', intervalMs: 5_000, notices: rowNotices(rows), peersSeen: ledger.peersSeen,
    peakReady: ledger.readyCounts.peak, failedPeers: 1, failures: { 'bad-magic': 1 },
  };
}

describe('views', () => {
  it('summarises the network in a few lines', () => {
    expect(headerLines(input())).toEqual([
      'peerscope · bitcoin regtest · 12:00:05 UTC · up 0:05 · every 5s',
      'peers 1/2 ready (peak 1) · 0 connecting · 1 failed · 2 seen · addresses 2 known, 2 tried',
      'traffic in 0.4 msg/s 21 B/s · out 0 msg/s 0 B/s · total in 2 msgs 106 B, out 0 msgs 0 B',
      'height 9 (1 of 1 ready) · agents /bcoin:v1.0.2/ ×1',
      'failures bad-magic ×1 (peers)',
    ]);
  });

  it('one row per address: a retried address once, with its attempts and its last failure', () => {
    const rows = peerRows(session().snapshot, session().ledger);
    expect(rows.map((r) => [r.address, r.attempts, r.state, r.reason])).toEqual([
      ['127.0.0.1:18444', 1, 'ready', null],
      ['127.0.0.2:18444', 2, 'failed', 'bad-magic'],
    ]);
    expect(rowNotices(rows)).toEqual(['a peer speaks testnet3; try --network testnet3']);
  });

  it('fills exactly the terminal: 80×24 and 200×60, the important columns first', () => {
    for (const size of [{ columns: 80, rows: 24 }, { columns: 200, rows: 60 }]) {
      const { lines } = renderScreen({ ...input(), size }, INITIAL_SCREEN);
      expect(lines).toHaveLength(size.rows);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(size.columns);
      expect(lines.at(-1)).toMatch(/^q quit/);
      expect(lines.at(-1)!.length).toBeLessThan(size.columns);
    }
    const narrow = renderScreen({ ...input(), size: { columns: 80, rows: 24 } }, INITIAL_SCREEN).lines;
    const header = narrow.find((l) => l.startsWith('ADDRESS'))!;
    // TRIES gives way to the failure's detail; the essential columns stay.
    expect(header).toMatch(/^ADDRESS\s+STATE▼\s+AGENT\s+BEST\s+PING ms\s+LAST$/);
    expect(narrow).toContain('! a peer speaks testnet3; try --network testnet3');
    const wide = renderScreen({ ...input(), size: { columns: 200, rows: 60 } }, INITIAL_SCREEN).lines;
    expect(wide.find((l) => l.startsWith('ADDRESS'))).toMatch(/^ADDRESS\s+STATE▼\s+TRIES\s+AGENT\s+VER\s+SERV\s+START\s+BEST\s+PING ms\s+LAST\s+IN\s+OUT\s+ADDRS\s+TOP IN$/);
    expect(wide.find((l) => l.startsWith('127.0.0.1'))).toMatch(/^127\.0\.0\.1:18444\s+ready 0:04\s+1\s+\/bcoin:v1\.0\.2\/\s+70015\s+nw\s+7\s+9\s+1\.23\s+5s\s+2 \/ 106 B\s+0 \/ 0 B\s+0\s+headers:2$/);
    expect(wide.find((l) => l.startsWith('127.0.0.2'))).toMatch(/^127\.0\.0\.2:18444\s+failed: bad-magic \(peer speaks testnet3; try --network testnet3 \(magic …\s+2\s+-/);
  });

  it('scrolls, filters, shows failed peers only, and the keys', () => {
    const i = { ...input(), size: { columns: 100, rows: 12 } };
    const failed = renderScreen(i, { ...INITIAL_SCREEN, failedOnly: true }).lines.filter((l) => l.startsWith('127.'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/^127\.0\.0\.2/);
    const filtered = renderScreen(i, { ...INITIAL_SCREEN, filter: 'bcoin' }).lines.filter((l) => l.startsWith('127.'));
    expect(filtered).toHaveLength(1);
    const { state } = renderScreen(i, { ...INITIAL_SCREEN, top: 99 });
    expect(state.top).toBe(0); // both rows fit: nothing to scroll
    expect(renderScreen(i, { ...INITIAL_SCREEN, help: true }).lines.join('\n')).toMatch(/f\s+failed peers only/);
  });

  it('colours states when asked, and only then', () => {
    const plain = renderScreen({ ...input(), size: { columns: 120, rows: 20 } }, INITIAL_SCREEN).lines.join('\n');
    expect(plain).not.toMatch(/\x1b/);
    const colour = renderScreen({ ...input(), size: { columns: 120, rows: 20 }, style: COLOUR }, INITIAL_SCREEN).lines.join('\n');
    expect(colour).toMatch(/\x1b\[32mready 0:04/);
    expect(colour).toMatch(/\x1b\[31mfailed: bad-magic/);
  });

  it('fits columns by priority: whole important columns before any lesser one', () => {
    const all = peerColumns();
    const fitted = fitColumns(all, 60, (c) => Math.min(c.width, 20));
    expect(fitted.map((f) => f.column.id)).toEqual(['address', 'state', 'agent']);
    expect(fitted.reduce((a, f) => a + f.width, 0) + fitted.length - 1).toBeLessThanOrEqual(60);
  });

  it("abbreviates services as Bitcoin Core's -netinfo does", () => {
    expect(shortServices(['NETWORK', 'BLOOM', 'WITNESS', 'COMPACT_FILTERS', 'NETWORK_LIMITED', 'P2P_V2', 'bit27', 'bit28'])).toBe('nbwcl2u');
    expect(shortServices(null)).toBe('-');
  });

  it('escapes what a peer sent: C0, DEL, C1, line and bidi controls', () => {
    expect(escapeControls('/x:\x1b[2J\x1b]0;t\x07\r\n\t\x00\x7f\u009b\u202e/')).toBe('/x:\\e[2J\\e]0;t\\a\\r\\n\\t\\0\\x7f\\x9b\\u202e/');
    expect(escapeControls('/Satoshi:27.0.0/ ünïcödé')).toBe('/Satoshi:27.0.0/ ünïcödé');
    const i = input();
    i.rows[0].userAgent = '\x1b]8;;http://x\x1b\\link';
    expect(renderPlain(i)).not.toMatch(/\x1b/);
  });

  it('writes the final summary of the whole run: text, JSON fields, CSV', () => {
    const { snapshot, ledger } = session();
    const summary = summaryRecord(ledger.summary(T0 + 10_000), snapshot);
    expect(summary).toMatchObject({
      durationMs: 10_000, peersSeen: 2, attempts: 3, peakReady: 1, finalReady: 1, target: 2,
      outcome: { ready: 1, failed: 1, everReady: 1 }, failures: { 'bad-magic': 1 }, failedAttempts: { 'closed-by-peer': 1, 'bad-magic': 1 },
      rates: { messagesIn: 0.2 }, consensus: { height: 9, peers: 1 }, userAgents: { '/bcoin:v1.0.2/': 1 },
    });
    const text = summaryText(summary, 'bitcoin regtest').split('\n');
    expect(text[0]).toBe('final summary · bitcoin regtest · ran 0:10 (12:00:00–12:00:10 UTC)');
    expect(text[1]).toBe('peers 2 seen, 3 connections · 1 ever ready · ready: peak 1, at the end 1 of 2 · 1 failed');
    expect(text).toContain('failed peers by reason bad-magic ×1 (connections: closed-by-peer ×1, bad-magic ×1)');
    expect(text.find((l) => l.startsWith('127.0.0.2'))).toMatch(/^127\.0\.0\.2:18444\s+2\s+no\s+-.*\s+failed: bad-magic \(peer speaks testnet3; try --network testnet3 \(magic 0x0709110b, expected regtest's 0xdab5bffa\)\)$/);
    // On an 80-column terminal: traffic and the rest give way, the line is cut, never wrapped.
    const narrow = summaryText(summary, 'bitcoin regtest', 80).split('\n');
    for (const l of narrow) expect(l.length).toBeLessThanOrEqual(80);
    expect(narrow.find((l) => l.startsWith('ADDRESS'))).toMatch(/^ADDRESS\s+TRIES\s+READY\s+AGENT\s+ENDED$/);
    expect(csvHeader()).toMatch(/^record,at,address,state,/);
    const csv = csvSummaryRow({ ...summary.peers[0], userAgent: 'a,"b"\r\nc' }, 1);
    expect(csv).toMatch(/^summary,1,127\.0\.0\.1:18444,ready,,,1,true,"a,""b""\r\nc",70015,NETWORK WITNESS,9,1\.234,2,106,0,0,\d+\r\n$/);
  });

  it('escapes what an RPC endpoint sent (client version, errors) in the ethereum-rpc table', () => {
    const table = rpcTable([{
      url: 'http://127.0.0.1:8545', at: T0, latencyMs: 3, clientVersion: 'Geth/\x1b]0;owned\x07v1\x1b[2J', networkId: '1', chainId: 1, errors: {},
    }, {
      url: 'http://127.0.0.1:8546', at: T0, latencyMs: 3, error: { kind: 'rpc-error', message: 'bad\r\nthing\x9b' }, errors: {},
    }], 5_000);
    expect(table).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(table).toContain('Geth/\\e]0;owned\\av1\\e[2J');
    expect(table).toContain('rpc-error: bad\\r\\nthing\\x9b');
  });

  it('names another chain (Ethereum) above the table', () => {
    const row = { ...peerRows(session().snapshot, session().ledger)[1], detail: 'other chain: network 1, genesis 0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3' };
    expect(rowNotices([row, { ...row, address: 'x' }])).toEqual(['2 peers are on another chain (network 1, genesis 0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3): check --network']);
  });

  it('says once that no DNS seed answered, however many were asked', () => {
    const warnings = ['seed.bitcoin.sipa.be: getaddrinfo ENOTFOUND seed.bitcoin.sipa.be', 'dnsseed.emzy.de: getaddrinfo ENOTFOUND dnsseed.emzy.de'];
    expect(startNotices(warnings, 0, false)).toEqual(['no DNS seed answered (2 asked: getaddrinfo ENOTFOUND); pass --seed host:port']);
    expect(startNotices([], 0, false)).toEqual(['no DNS seed answered; pass --seed host:port']);
    expect(startNotices(['nosuch.example: getaddrinfo ENOTFOUND nosuch.example'], 0, true)).toEqual([
      'no seed could be dialled; check --seed, --allow and --deny', 'warning: nosuch.example: getaddrinfo ENOTFOUND nosuch.example',
    ]);
    expect(startNotices([], 3, undefined)).toEqual([]);
  });

  it('NDJSON: type and at first, schema on the first record only, null for absent values', () => {
    const lines: string[] = [];
    const record = ndjson((l) => lines.push(l));
    record('snapshot', { at: 5, peers: [{ userAgent: undefined }] });
    record('summary', { x: 1 }, 7);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { type: 'snapshot', schema: 'peerscope/1', at: 5, peers: [{ userAgent: null }] },
      { type: 'summary', at: 7, x: 1 },
    ]);
    expect(lines.every((l) => l.endsWith('\n') && l.trim().split('\n').length === 1)).toBe(true);
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
