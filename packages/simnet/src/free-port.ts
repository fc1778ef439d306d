import net from 'node:net';

/** A TCP port free on `host` right now (and `port + 1` too when `pair`, for bcoin's HTTP API). */
export async function freePort(host = '127.0.0.1', pair = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(host, 0);
    if (!pair) return port;
    if (port < 65535 && (await listenOnce(host, port + 1).then(() => true, () => false))) return port;
  }
  throw new Error(`no free port pair on ${host}`);
}

/** `wanted` if it is free on `host` (so runs repeat the same addresses), else any free port. */
export async function portOrFree(host: string, wanted: number): Promise<number> {
  return listenOnce(host, wanted).catch(() => freePort(host));
}

function listenOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const p = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(p));
    });
  });
}
