import readline from 'node:readline';
import { Flags } from '@oclif/core';
import { Node, type NodeEvent } from '@peerscope/p2pnet';
import { BaseCommand, UsageError } from '../../base-command.js';

export default class NodeStart extends BaseCommand {
  static override summary = 'Run a p2pnetwork-compatible node and print its events as they happen';
  static override description = `Each line typed on stdin is sent to every connected node (as text: a receiver decodes
JSON text as JSON, as p2pnetwork does). Runs until interrupted.`;
  static override examples = [
    '<%= config.bin %> node start --port 8001',
    '<%= config.bin %> node start --port 8002 --connect 127.0.0.1:8001 --json',
  ];

  static override flags = {
    host: Flags.string({ description: 'address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'port to listen on (0: any free port)', default: 0, min: 0, max: 65535 }),
    id: Flags.string({ description: 'node id (default: SHA-512 of host, port and a random number, as p2pnetwork)' }),
    connect: Flags.string({ description: 'node to connect to, host:port (repeatable); reconnected if lost', multiple: true, default: [] }),
    json: Flags.boolean({ description: 'one JSON object per event', default: false }),
    framing: Flags.string({ description: 'eot (p2pnetwork) or length (peerscope only)', options: ['eot', 'length'], default: 'eot' }),
    compression: Flags.string({ description: 'compress what stdin sends', options: ['none', 'zlib', 'bzip2', 'lzma'], default: 'none' }),
    'max-connections': Flags.integer({ description: 'inbound connections allowed (0: unlimited)', default: 0, min: 0 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeStart);
    const targets = flags.connect.map((text) => {
      const m = /^(.+):(\d{1,5})$/.exec(text.trim());
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--connect "${text}" is not host:port`);
      return { host: m[1], port: Number(m[2]) };
    });
    const node = new Node({
      host: flags.host, port: flags.port, id: flags.id,
      framing: flags.framing as 'eot' | 'length', maxConnections: flags['max-connections'],
    });
    const print = (text: string, json: Record<string, unknown>) => this.log(flags.json ? JSON.stringify({ at: new Date().toISOString(), ...json }) : text);
    node.events$.subscribe((e) => print(describe(e), toJson(e)));
    await node.start();
    print(`node ${node.id} listening on ${node.host}:${node.port}`, { event: 'started', id: node.id, host: node.host, port: node.port });
    for (const t of targets) node.connectWithNode(t.host, t.port, { reconnect: true }).catch(() => {});

    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    rl.on('line', (line) => {
      if (line.length === 0) return;
      try {
        const n = node.sendToNodes(line, { compression: flags.compression as 'none' });
        print(`sent to ${n} node${n === 1 ? '' : 's'}: ${line}`, { event: 'sent', nodes: n, data: line });
      } catch (err) {
        print(`not sent: ${(err as Error).message}`, { event: 'send-error', message: (err as Error).message });
      }
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    rl.close();
    await node.stop();
    print('stopped', { event: 'stopped', sent: node.messageCount.sent, received: node.messageCount.received, errors: node.messageCount.errors });
  }
}

function who(n: { host: string; port: number; id: string }): string {
  return `${n.host}:${n.port} (${n.id.length > 16 ? `${n.id.slice(0, 16)}…` : n.id})`;
}

function describe(e: NodeEvent): string {
  switch (e.type) {
    case 'outbound-node-connected': return `connected to ${who(e.node)}`;
    case 'inbound-node-connected': return `connected from ${who(e.node)}`;
    case 'outbound-node-disconnected':
    case 'inbound-node-disconnected': return `disconnected ${who(e.node)}: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`;
    case 'node-message': return `message from ${who(e.node)}: ${e.data instanceof Uint8Array ? `<${e.data.length} bytes>` : JSON.stringify(e.data)}`;
    case 'node-disconnect-with-outbound-node': return `disconnecting from ${who(e.node)}`;
    case 'node-request-to-stop': return 'stopping';
    case 'connect-failed': return `cannot connect to ${e.host}:${e.port}: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`;
    case 'reconnecting': return `reconnecting to ${e.host}:${e.port} in ${e.delayMs} ms (attempt ${e.attempt})`;
    case 'inbound-refused': return `refused ${e.host}:${e.port}: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`;
    case 'message-error': return `undecodable message from ${who(e.node)}: ${e.error}`;
    case 'error': return `error in ${e.hook}${e.node ? ` (${who(e.node)})` : ''}: ${e.message}`;
  }
}

function toJson(e: NodeEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { event: e.type };
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type') continue;
    if (k === 'node') out.node = (v as { toJSON(): unknown }).toJSON();
    else if (k === 'error') continue; // an Error serialises to {}; `message` carries it
    else if (v instanceof Uint8Array) out[k] = { bytes: Buffer.from(v).toString('hex') };
    else out[k] = v;
  }
  return out;
}
