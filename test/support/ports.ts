import net from 'node:net';

/**
 * A loopback host on which no test ever listens: a port found free on 127.0.0.1 may be taken by a test
 * running beside this one before it is dialled (a p2pnet node answering a sum that should reach nobody).
 */
export const CLOSED_HOST = '127.77.0.1';

/** A port on CLOSED_HOST where nothing listens: dialling `${CLOSED_HOST}:${port}` is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, CLOSED_HOST);
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
