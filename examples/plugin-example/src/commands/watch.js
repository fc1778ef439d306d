// `peerscope watch`: a plugin's own command on peerscope's engine. It builds a monitor, subscribes to
// its event stream (one line per peer state change) and its stats stream (the final snapshot), and
// shares the CLI's base command and flags (one-line errors, exit code 2 for usage mistakes).
import { Flags } from '@oclif/core';
import { bitcoin } from '@peerscope/bitcoin';
import { BaseCommand, durationFlag, escapeControls, seedFlag } from '@peerscope/cli';
import { createMonitor } from '@peerscope/engine';

export default class Watch extends BaseCommand {
  static summary = 'Print every peer state change of a Bitcoin network as it happens';
  static examples = ['<%= config.bin %> watch --seed 127.0.0.1:18444 --network regtest --duration 10s'];
  static flags = {
    seed: seedFlag({ description: 'a node to start from, host:port (repeatable)', multiple: true, required: true }),
    network: Flags.string({ description: 'Bitcoin network', default: 'regtest' }),
    duration: durationFlag({ description: 'how long to watch', default: 5_000, min: 100 }),
  };

  async run() {
    const { flags } = await this.parse(Watch);
    const monitor = createMonitor({ ...bitcoin({ network: flags.network }), seeds: flags.seed, target: 4, threads: 0, intervalMs: 1_000 });
    monitor.events$.subscribe((e) => {
      if (e.type === 'state') this.log(`${e.address} ${e.state}${e.reason ? ` (${e.reason})` : ''}`);
      if (e.type === 'handshake') this.log(`${e.address} says ${escapeControls(e.info.userAgent ?? '?')}`);
    });
    let last;
    monitor.stats$.subscribe((s) => (last = s));
    await monitor.start();
    await new Promise((resolve) => setTimeout(resolve, flags.duration));
    await monitor.stop();
    this.log(`watched ${last.addresses.tried} peers: ${last.handshakes.succeeded} handshakes`);
  }
}
