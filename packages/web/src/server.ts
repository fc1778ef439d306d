import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Observable, Subscription } from 'rxjs';
import type { NetworkSnapshot } from '@peerscope/engine';
import { peersAt, propagation, resolveRun, snapshots, type Sql } from '@peerscope/history';
import { pointOf, rowOfHistory, viewOfSnapshot, type ChartPoint, type PageView } from './view.js';

const require = createRequire(import.meta.url);
const ASSETS = fileURLToPath(new URL('../assets/', import.meta.url));

/** Every file the page loads, served by peerscope itself from the package and from npm (no CDN). */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: `${ASSETS}index.html`, type: 'text/html; charset=utf-8' },
  '/app.js': { file: `${ASSETS}app.js`, type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: `${ASSETS}app.css`, type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.min.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/**
 * The page's security headers: nothing from elsewhere, no inline script, no framing. Peer strings are
 * set as text by app.js; this is the second fence if one ever were not.
 */
const HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** Chart points kept in memory for a live page: 12 hours at 5 s. */
const MAX_POINTS = 8_640;

export interface WebOptions {
  host: string;
  port: number;
  title: string;
  /** A running monitor's snapshots: the page is live. */
  live?: { stats$: Observable<NetworkSnapshot> };
  /** A history database: charts over the run, block propagation; without `live`, the page follows the run as it is written. */
  history?: { sql: Sql; runId?: number };
  /** Dashboard over a database: how often to look for new intervals (default 2 s). */
  pollMs?: number;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the page, its assets, /api/view, /api/series, /api/blocks and /api/events (server-sent events). */
export async function startWeb(o: WebOptions): Promise<WebServer> {
  let view: PageView | undefined;
  let points: ChartPoint[] = [];
  const clients = new Set<http.ServerResponse>();
  const subscriptions: Subscription[] = [];
  let poller: NodeJS.Timeout | undefined;

  const publish = (v: PageView) => {
    view = v;
    points.push(pointOf(v));
    if (points.length > MAX_POINTS) points = points.slice(-MAX_POINTS / 2);
    const data = `event: view\ndata: ${JSON.stringify(v)}\n\n`;
    for (const c of clients) c.write(data);
  };

  if (o.live) {
    subscriptions.push(o.live.stats$.subscribe((s) => publish(viewOfSnapshot(o.title, s))));
  } else if (o.history) {
    const { sql } = o.history;
    const run = await resolveRun(sql, o.history.runId);
    points = seriesOfSnapshots(await snapshots(sql, run.id)).slice(-MAX_POINTS);
    let lastAt = -1;
    let previousBytes = { in: 0, out: 0 };
    const poll = async () => {
      const current = await resolveRun(sql, run.id);
      const rows = await sql.all<Record<string, number | string | null>>(
        'SELECT at, ready, target, connecting, failed, known, tried, bytes_in, bytes_out, consensus_height, consensus_peers, failures, user_agents FROM snapshots WHERE run_id = ? ORDER BY at DESC LIMIT 2',
        [run.id],
      );
      // An ended run's final snapshot was taken after every connection closed: show the last one before.
      const row = current.endedAt !== null && rows.length === 2 ? rows[1] : rows[0];
      if (!row || (row.at as number) === lastAt) return;
      const first = lastAt === -1;
      lastAt = row.at as number;
      const { peers } = await peersAt(sql, current, lastAt);
      const v: PageView = {
        title: `${o.title} · run ${run.id} (${run.command}${run.network ? ` ${run.network}` : ''}, ${run.vantage})`, at: lastAt, live: current.endedAt === null,
        summary: {
          ready: row.ready as number, target: row.target as number, connecting: row.connecting as number, failed: row.failed as number,
          consensusHeight: row.consensus_height as number | null, consensusPeers: row.consensus_peers as number | null,
          known: row.known as number, tried: row.tried as number, bytesInPerSec: 0, bytesOutPerSec: 0, uptimeMs: lastAt - run.startedAt,
        },
        peers: peers.map(rowOfHistory),
        userAgents: JSON.parse(row.user_agents as string),
        failures: JSON.parse(row.failures as string),
        commands: {},
      };
      const previous = points.at(-1);
      if (!first && previous && previous.at < lastAt) {
        const seconds = Math.max((lastAt - previous.at) / 1000, 1e-3);
        v.summary.bytesInPerSec = Math.round(((row.bytes_in as number) - previousBytes.in) / seconds);
        v.summary.bytesOutPerSec = Math.round(((row.bytes_out as number) - previousBytes.out) / seconds);
      }
      previousBytes = { in: row.bytes_in as number, out: row.bytes_out as number };
      if (first) view = v;
      else publish(v);
    };
    await poll();
    poller = setInterval(() => void poll().catch(() => {}), o.pollMs ?? 2_000);
  }

  const json = (res: http.ServerResponse, value: unknown) => res.writeHead(200, { ...HEADERS, 'content-type': 'application/json' }).end(JSON.stringify(value));

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    const path = (req.url ?? '/').split('?')[0];
    const asset = FILES[path];
    if (asset) {
      fs.readFile(asset.file, (err, body) => {
        if (err) res.writeHead(500).end();
        else res.writeHead(200, { ...HEADERS, 'content-type': asset.type }).end(body);
      });
      return;
    }
    switch (path) {
      case '/api/view': return void json(res, view ?? null);
      case '/api/series': return void json(res, points);
      case '/api/blocks': {
        const h = o.history;
        if (!h) return void json(res, []);
        void (async () => {
          const run = await resolveRun(h.sql, h.runId);
          return (await propagation(h.sql, run.id)).slice(-50);
        })().then((rows) => json(res, rows), () => json(res, []));
        return;
      }
      case '/api/events': {
        res.writeHead(200, { ...HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
        res.write(': peerscope\n\n');
        if (view) res.write(`event: view\ndata: ${JSON.stringify(view)}\n\n`);
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      default:
        res.writeHead(404, { ...HEADERS, 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  const listening = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  }).catch((err) => {
    clearInterval(poller);
    for (const s of subscriptions) s.unsubscribe();
    throw err;
  });
  const host = listening.family === 'IPv6' ? `[${listening.address}]` : listening.address;
  return {
    url: `http://${host}:${listening.port}/`,
    port: listening.port,
    close: () => new Promise<void>((resolve) => {
      clearInterval(poller);
      for (const s of subscriptions) s.unsubscribe();
      for (const c of clients) c.end();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Chart points of a recorded run: rates from consecutive totals. */
function seriesOfSnapshots(rows: Record<string, unknown>[]): ChartPoint[] {
  return rows.map((r, i) => {
    const p = rows[i - 1];
    const seconds = p ? Math.max(((r.at as number) - (p.at as number)) / 1000, 1e-3) : 1;
    return {
      at: r.at as number, ready: r.ready as number, consensusHeight: r.consensusHeight as number | null, consensusPeers: r.consensusPeers as number | null,
      failed: r.failed as number,
      bytesInPerSec: p ? Math.round(((r.bytesIn as number) - (p.bytesIn as number)) / seconds) : 0,
      bytesOutPerSec: p ? Math.round(((r.bytesOut as number) - (p.bytesOut as number)) / seconds) : 0,
    };
  });
}
