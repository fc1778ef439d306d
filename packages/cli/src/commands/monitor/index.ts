import { BaseCommand } from '../../base-command.js';

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
    const protocols = this.config.commands.filter((c) => c.id.startsWith('monitor:')).map((c) => c.id.slice('monitor:'.length));
    const protocol = await select({
      message: 'Which network?',
      choices: protocols.map((p) => ({ name: p === 'bitcoin' ? 'Bitcoin' : p, value: p })),
    });
    const defaults: Record<string, string> = { bitcoin: '127.0.0.1:8333', ethereum: '', 'ethereum-rpc': 'http://127.0.0.1:8545' };
    const host = await input({ message: 'Node address (host)', default: (defaults[protocol] ?? '').split(':')[0] || '127.0.0.1' });
    const port = await number({ message: 'Port', default: Number((defaults[protocol] ?? '').split(':')[1] ?? 8333), min: 1, max: 65535, required: true });
    const peers = await number({ message: 'How many peers to keep', default: 8, min: 1, max: 10_000, required: true });
    const args = protocol === 'ethereum-rpc' ? ['--url', `http://${host}:${port}`] : ['--seed', `${host}:${port}`, '--peers', String(peers)];
    await this.config.runCommand(`monitor:${protocol}`, args);
  }
}
