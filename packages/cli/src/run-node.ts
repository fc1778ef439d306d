import readline from 'node:readline';
import { formatAddress, type HostPort } from '@peerscope/engine';
import { Node, type Compression, type Framing } from '@peerscope/p2pnet';
import { EnvironmentError } from './base-command.js';
import { ndjson } from './views/json.js';
import { nodeEventJson, nodeEventText } from './views/node-events.js';

export interface NodeRunOptions {
  host: string;
  port: number;
  id?: string;
  /** Dialled at start and redialled when lost. */
  connect: HostPort[];
  json: boolean;
  framing: Framing;
  /** How the lines read from stdin are compressed. */
  compression: Compression | 'none';
  maxConnections: number;
}

/**
 * Runs a p2pnetwork-compatible node until SIGINT/SIGTERM: prints its events (text or JSON lines with
 * `at`), and sends each non-empty stdin line to every connected node.
 */
export async function runNode(o: NodeRunOptions, log: (line: string) => void): Promise<void> {
  // Listening for the signals before anything is printed: a script that stops us as soon as it reads
  // "started" must not find the default action (killed, no "stopped" record).
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const node = new Node({ host: o.host, port: o.port, id: o.id, framing: o.framing, maxConnections: o.maxConnections });
  // NDJSON: type 'event', at (epoch ms), schema on the first record; `event` names what happened.
  const record = ndjson((line) => log(line.slice(0, -1)));
  const print = (text: string, json: Record<string, unknown>) => (o.json ? record('event', json, Date.now()) : log(text));
  node.events$.subscribe((e) => print(nodeEventText(e), nodeEventJson(e)));
  await node.start().catch((err: NodeJS.ErrnoException) => {
    // Say which address, in the user's terms; base-command makes it one line and exit code 2.
    if (err?.code === 'EADDRINUSE') throw new EnvironmentError(`${formatAddress(o.host, o.port)} is already in use: pick another --port (0: any free port)`);
    if (err?.code === 'EADDRNOTAVAIL') throw new EnvironmentError(`${o.host} is not an address of this machine: pick another --host (e.g. 127.0.0.1)`);
    if (err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN') throw new EnvironmentError(`--host ${o.host} does not resolve`);
    throw err;
  });
  print(`node ${node.id} listening on ${formatAddress(node.host, node.port)}`, { event: 'started', id: node.id, host: node.host, port: node.port });
  for (const t of o.connect) node.connectWithNode(t.host, t.port, { reconnect: true }).catch(() => {});

  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => {
    if (line.length === 0) return;
    try {
      const n = node.sendToNodes(line, { compression: o.compression });
      print(`sent to ${n} node${n === 1 ? '' : 's'}: ${line}`, { event: 'sent', nodes: n, data: line });
    } catch (err) {
      print(`not sent: ${(err as Error).message}`, { event: 'send-error', message: (err as Error).message });
    }
  });
  await stopped;
  rl.close();
  await node.stop();
  print('stopped', { event: 'stopped', sent: node.messageCount.sent, received: node.messageCount.received, errors: node.messageCount.errors });
}
