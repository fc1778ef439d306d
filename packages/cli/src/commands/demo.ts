import { Flags } from '@oclif/core';
import { bitcoin } from '@peerscope/bitcoin';
import { createMonitor } from '@peerscope/engine';
import { BaseCommand, UsageError } from '../base-command.js';
import { startDemoNetwork } from '../demo-network.js';
import { durationFlag, monitorFlags } from '../flags.js';
import { runLive } from '../live.js';
import { outputFlags } from '../outputs.js';

export default class Demo extends BaseCommand {
  static summary = 'Start a local Bitcoin regtest network of bcoin nodes on 127.0.0.x and monitor it';
  static description = `Needs no internet: starts real bcoin full nodes (in memory) on 127.0.0.1, 127.0.0.2, …, mines a block every few seconds, and runs the Bitcoin monitor seeded with the first node. It learns the others through getaddr, dialling only 127.0.0.0/8.`;
  static examples = [
    '<%= config.bin %> demo',
    '<%= config.bin %> demo --nodes 6 --peers 4 --duration 30s',
    '<%= config.bin %> demo --sim 500 --peers 200 --hostile 0.05',
    '<%= config.bin %> demo --json --duration 20s',
  ];
  static flags = {
    nodes: Flags.integer({ description: 'bcoin nodes to start', default: 4, min: 1, max: 50 }),
    sim: Flags.integer({ description: 'instead of bcoin nodes, this many lightweight simulated peers on 127.1.x.y (scale)', min: 1, max: 5_000 }),
    hostile: Flags.string({ description: 'with --sim: the fraction of simulated peers that misbehave after their handshake (e.g. 0.05; default 0)' }),
    'block-interval': durationFlag({ description: 'mine a block this often', default: 4_000, min: 100 }),
    ...monitorFlags,
    ...outputFlags,
    peers: Flags.integer({ description: 'peers to keep connected', default: 3, min: 1, max: 5_000 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    if (flags.hostile !== undefined && flags.sim === undefined) throw new UsageError('--hostile needs --sim (bcoin nodes do not misbehave)');
    const hostileFraction = Number(flags.hostile ?? 0);
    if (!(hostileFraction >= 0 && hostileFraction <= 1)) throw new UsageError(`--hostile: "${flags.hostile}" is not a fraction between 0 and 1`);
    const sim = flags.sim;
    if (!flags.json && !flags.csv) process.stderr.write(sim ? `starting ${sim} simulated regtest peers on 127.1.x.y…\n` : `starting ${flags.nodes} bcoin regtest nodes on 127.0.0.1-${flags.nodes}…\n`);
    const network = await startDemoNetwork({ nodes: flags.nodes, sim, hostileFraction, blockIntervalMs: flags['block-interval'] });
    try {
      const monitor = createMonitor({
        ...bitcoin({ network: 'regtest', pingIntervalMs: 5_000 }),
        seeds: [network.seed], target: flags.peers, threads: flags.threads, intervalMs: flags.interval,
        allow: flags.allow?.length ? flags.allow : ['127.0.0.0/8'], deny: flags.deny,
      });
      await runLive(monitor, {
        title: network.title, intervalMs: flags.interval, json: flags.json, csv: flags.csv, color: flags.color, durationMs: flags.duration,
        seeded: true, startNotice: 'dialling the first demo node…',
        meta: { protocol: 'bitcoin', network: 'regtest', demo: true },
        // The demo shows its page too, on a free loopback port it prints (not beside machine output).
        outputs: { settings: { ...flags, web: flags.web ?? (flags.json || flags.csv ? undefined : { host: '127.0.0.1', port: 0 }) }, command: 'demo', flags },
      });
    } finally {
      await network.close();
    }
  }
}
