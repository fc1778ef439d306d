import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  /** http://host:port, for people and tests. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * `[HOST:]PORT` → where to listen. Loopback unless a host is named: what we serve is read-only, but
 * it is still nobody else's business. IPv6 hosts in brackets.
 */
export function parseListen(text: string): { host: string; port: number } {
  const s = text.trim();
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65_535) throw new Error(`"${text}" is not [HOST:]PORT (e.g. 9464, 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464)`);
  return { host: m[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}

/** Serves GET/HEAD `/metrics` (and a pointer at `/`); everything else is 404 or 405. */
export function serveMetrics(render: () => Promise<string>, contentType: string, at: { host: string; port: number }): Promise<Listening> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('peerscope metrics: GET /metrics\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    render().then(
      (text) => res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  return listen(server, at);
}

export function listen(server: http.Server, at: { host: string; port: number }): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      const { port, address, family } = server.address() as AddressInfo;
      const host = family === 'IPv6' ? `[${address}]` : address;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () => new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}
