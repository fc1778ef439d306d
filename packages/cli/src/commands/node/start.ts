import { Flags } from '@oclif/core';
import { COMPRESSIONS, type Compression, type Framing } from '@peerscope/p2pnet';
import { BaseCommand } from '../../base-command.js';
import { addressFlag, hostFlag } from '../../flags.js';
import { runNode } from '../../run-node.js';

export default class NodeStart extends BaseCommand {
  static override summary = 'Run a p2pnetwork-compatible node and print its events as they happen';
  static override description = 'Each line typed on stdin is sent to every connected node (as text: a receiver decodes JSON text as JSON, as p2pnetwork does). Runs until interrupted.';
  static override examples = [
    '<%= config.bin %> node start --port 8001',
    '<%= config.bin %> node start --port 8002 --connect 127.0.0.1:8001 --json',
  ];

  static override flags = {
    host: hostFlag({ description: 'address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'port to listen on (0: any free port)', default: 0, min: 0, max: 65535 }),
    id: Flags.string({ description: 'node id (default: SHA-512 of host, port and a random number, as p2pnetwork)' }),
    connect: addressFlag({ description: 'node to connect to, host:port (repeatable); reconnected if lost', multiple: true }),
    json: Flags.boolean({ description: 'one JSON object per event', default: false }),
    framing: Flags.string({ description: 'eot (p2pnetwork) or length (peerscope only)', options: ['eot', 'length'], default: 'eot' }),
    compression: Flags.string({ description: 'compress what stdin sends', options: ['none', ...COMPRESSIONS], default: 'none' }),
    'max-connections': Flags.integer({ description: 'inbound connections allowed (0: unlimited)', default: 0, min: 0 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeStart);
    await runNode({
      host: flags.host, port: flags.port, id: flags.id, connect: flags.connect ?? [], json: flags.json,
      framing: flags.framing as Framing, compression: flags.compression as Compression | 'none', maxConnections: flags['max-connections'],
    }, (line) => this.log(line));
  }
}
