import { askMonitor } from '../../ask-monitor.js';
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
    const monitors = this.config.commands.filter((c) => c.id.startsWith('monitor:')).map((c) => c.id.slice('monitor:'.length));
    const { id, argv } = await askMonitor(monitors);
    // The same run next time without the questions.
    const quote = (a: string) => (/^[\w@%+=:,./[\]-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
    this.log(`running: ${this.config.bin} ${id.replaceAll(':', ' ')} ${argv.map(quote).join(' ')}`);
    await this.config.runCommand(id, argv);
  }
}
