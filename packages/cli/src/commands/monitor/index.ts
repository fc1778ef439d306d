import { NETWORKS } from '@peerscope/bitcoin';
import { BaseCommand } from '../../base-command.js';

const LABELS: Record<string, string> = { bitcoin: 'Bitcoin', ethereum: 'Ethereum (devp2p)', 'ethereum-rpc': 'Ethereum node JSON-RPC' };

/** `peerscope monitor` alone: on a terminal, ask what to watch (as the original tool did); otherwise explain. */
export default class Monitor extends BaseCommand {
  static summary = 'Watch a network live (asks which one when run on a terminal)';
  static description = 'Without a subcommand, asks for the network, a node address and port, and how many peers to keep, then starts that monitor. It never prompts without a terminal.';
  static examples = ['<%= config.bin %> monitor', '<%= config.bin %> monitor bitcoin --seed 127.0.0.1:18444 --network regtest'];

  async run(): Promise<void> {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      this.error('no terminal to ask on: name a monitor, e.g. `peerscope monitor bitcoin --seed host:port`', { exit: 2 });
    }
    const { select, input, number } = await import('@inquirer/prompts');
    const monitors = this.config.commands.filter((c) => c.id.startsWith('monitor:')).map((c) => c.id.slice('monitor:'.length));
    const protocol = await select({ message: 'Which network?', choices: monitors.map((m) => ({ name: LABELS[m] ?? m, value: m })) });
    const args: string[] = [];
    let defaultPort = 8545;
    if (protocol === 'bitcoin') {
      const network = await select({ message: 'Which chain?', choices: NETWORKS.map((n) => ({ name: n.name, value: n.name })) });
      defaultPort = NETWORKS.find((n) => n.name === network)!.port;
      args.push('--network', network);
    }
    if (protocol === 'ethereum') {
      const enode = await input({ message: 'Node (enode://<node id>@host:port)', required: true });
      const peers = await number({ message: 'How many peers to keep', default: 8, min: 1, max: 10_000, required: true });
      return void (await this.config.runCommand('monitor:ethereum', ['--seed', enode, '--peers', String(peers)]));
    }
    const host = await input({ message: 'Node address (host)', default: '127.0.0.1' });
    const port = await number({ message: 'Port', default: defaultPort, min: 1, max: 65535, required: true });
    if (protocol === 'ethereum-rpc') {
      args.push('--url', `http://${host}:${port}`);
    } else {
      const peers = await number({ message: 'How many peers to keep', default: 8, min: 1, max: 10_000, required: true });
      args.push('--seed', `${host}:${port}`, '--peers', String(peers));
    }
    await this.config.runCommand(`monitor:${protocol}`, args);
  }
}
