import { Flags } from '@oclif/core';
import { addressFlag, BaseCommand, dataFileFlag, durationFlag, UsageError } from '@peerscope/cli';
import { runSumApp } from '../../app.js';

export default class Sum extends BaseCommand {
  static override summary = 'Run a distributed-sum node: add numbers here, ask the network for its total';
  static override description = 'Without --add/--sum and with a terminal, shows the menu of the original application (add a number, show the network sum, exit). Without a terminal it never prompts: it reads one command per line from stdin ("add 5", "5", "sum", "exit"). Every number is written durably to --data before it is acknowledged.';
  static override examples = [
    '<%= config.bin %> sum --port 8001 --data node1.json',
    '<%= config.bin %> sum --port 8002 --data node2.json --connect 127.0.0.1:8001 --add 5 --add 7',
    '<%= config.bin %> sum --port 8003 --data node3.json --connect 127.0.0.1:8002 --sum --json',
    '<%= config.bin %> sum --port 8001 --data node1.json --serve',
  ];

  static override flags = {
    host: Flags.string({ description: 'address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'port to listen on (0: any free port; then --data is required)', default: 0, min: 0, max: 65535 }),
    id: Flags.string({ description: 'node id (default: p2pnetwork-style SHA-512 of host, port and a random number)' }),
    connect: addressFlag({ description: 'node to connect to, host:port (repeatable)', multiple: true }),
    data: dataFileFlag({ description: 'file holding this node\'s numbers (default: sum-<port>.json; its folder must exist)' }),
    add: Flags.string({ description: 'add this integer (any size; repeatable), then exit unless --serve', multiple: true }),
    sum: Flags.boolean({ description: 'print the network sum, then exit unless --serve', default: false }),
    serve: Flags.boolean({ description: 'keep running (answering sum requests) until interrupted', default: false }),
    json: Flags.boolean({ description: 'one JSON object per line', default: false }),
    hops: Flags.integer({ description: 'hop limit of a sum request', default: 64, min: 1 }),
    timeout: durationFlag({ description: 'how long a sum waits for answers (a bare number is ms)', default: 5_000, unit: 'ms', min: 100 }),
    framing: Flags.string({ description: 'eot (p2pnetwork-compatible) or length (peerscope only)', options: ['eot', 'length'], default: 'eot' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Sum);
    if (flags.port === 0 && !flags.data) throw new UsageError('--data is required with --port 0 (the numbers must survive a restart)');
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => (stop = r));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const code = await runSumApp(
      {
        host: flags.host, port: flags.port, id: flags.id, connect: flags.connect ?? [], data: flags.data ?? `sum-${flags.port}.json`,
        add: flags.add ?? [], sum: flags.sum, serve: flags.serve, json: flags.json, hops: flags.hops, timeoutMs: flags.timeout,
        framing: flags.framing as 'eot' | 'length',
      },
      {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
        input: process.stdin,
        interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
        stopSignal,
      },
    );
    if (code !== 0) this.exit(code);
  }
}
