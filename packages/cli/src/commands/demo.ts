import { Flags } from '@oclif/core';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor } from '@peerscope/engine';
import { startBcoinNetwork } from '@peerscope/simnet';
import { BaseCommand } from '../base-command.js';
import { parseDuration } from '../duration.js';
import { runLive } from '../live.js';
import { monitorFlags } from '../monitor-flags.js';

/** An address the demo nodes hand out that is not on loopback: shown as known, never dialled. */
const PUBLIC_DECOY = '203.0.113.50:18444';

export default class Demo extends BaseCommand {
  static summary = 'Start a local Bitcoin regtest network of bcoin nodes on 127.0.0.x and monitor it';
  static description = `Needs no internet: starts real bcoin full nodes (in memory) on 127.0.0.1, 127.0.0.2, …, mines a block every few seconds, and runs the Bitcoin monitor seeded with the first node. It learns the others through getaddr, dialling only 127.0.0.0/8.`;
  static examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --nodes 6 --peers 4 --duration 30s', '<%= config.bin %> demo --json --duration 20s'];
  static flags = {
    nodes: Flags.integer({ description: 'bcoin nodes to start', default: 4, min: 1, max: 50 }),
    'block-interval': Flags.string({ description: 'mine a block this often', default: '4s' }),
    ...monitorFlags,
    peers: Flags.integer({ description: 'peers to keep connected', default: 3, min: 1, max: 50 }),
    interval: monitorFlags.interval,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    let blockIntervalMs: number;
    try {
      blockIntervalMs = parseDuration(flags['block-interval']);
    } catch (err) {
      this.error(`--block-interval: ${(err as Error).message}`, { exit: 2 });
    }
    if (!flags.json) process.stderr.write(`starting ${flags.nodes} bcoin regtest nodes on 127.0.0.1-${flags.nodes}…\n`);
    const network = await startBcoinNetwork({ nodes: flags.nodes, blockIntervalMs, extraAddresses: [PUBLIC_DECOY] });
    try {
      await network.mine();
      const monitor = createMonitor({
        ...bitcoin({ network: 'regtest', pingIntervalMs: 5_000 }),
        seeds: [network.addresses[0]], target: flags.peers, threads: flags.threads, intervalMs: flags.interval,
        allow: flags.allow?.length ? flags.allow : ['127.0.0.0/8'], deny: flags.deny,
      });
      await runLive(monitor, {
        title: `demo: bitcoin regtest, ${flags.nodes} bcoin nodes`, intervalMs: flags.interval, json: flags.json, durationMs: flags.duration,
        meta: { protocol: 'bitcoin', network: 'regtest', demo: true },
      });
    } finally {
      await network.close();
    }
  }
}
