import { Flags } from '@oclif/core';
import { bitcoin, getNetwork, NETWORKS } from '@peerscope/bitcoin';
import { createMonitor } from '@peerscope/engine';
import { BaseCommand } from '../../base-command.js';
import { runLive } from '../../live.js';
import { outputFlags } from '../../outputs.js';
import { durationFlag, monitorFlags, networkFlag, seedFlag } from '../../flags.js';

export default class MonitorBitcoin extends BaseCommand {
  static summary = 'Watch Bitcoin peers live: versions, agents, heights, ping, traffic';
  static description = `Connects natively (Bitcoin wire protocol) to N peers, starting from --seed nodes or the network's DNS seeds, learns more with getaddr, replaces peers that fail, and redraws a statistics table every interval. Ctrl-C closes every connection and prints the final summary.`;
  static examples = [
    '<%= config.bin %> monitor bitcoin --seed 127.0.0.1:18444 --network regtest --peers 4',
    '<%= config.bin %> monitor bitcoin --peers 16 --allow 0.0.0.0/0 --deny 10.0.0.0/8',
    '<%= config.bin %> monitor bitcoin --seed 127.0.0.1:18444 --network regtest --json --duration 30s',
  ];
  static flags = {
    seed: seedFlag({ description: 'a node to start from, host:port (repeatable; hostnames are resolved)', multiple: true }),
    network: networkFlag({
      description: 'Bitcoin network (any case; Core\'s names main, test also work)', names: NETWORKS.map((n) => n.name), default: 'mainnet',
      canonical: (name) => { try { return getNetwork(name.trim()).name; } catch { return undefined; } },
    }),
    relay: Flags.boolean({ description: 'ask peers to announce transactions too (BIP37 relay flag)', default: false }),
    'ping-interval': durationFlag({ description: 'time between pings (a bare number is seconds)', default: 30_000, min: 1_000 }),
    ...monitorFlags,
    ...outputFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MonitorBitcoin);
    const choice = bitcoin({ network: flags.network as never, relay: flags.relay, pingIntervalMs: flags['ping-interval'] });
    const monitor = createMonitor({
      ...choice, seeds: flags.seed, target: flags.peers, threads: flags.threads, intervalMs: flags.interval,
      allow: flags.allow, deny: flags.deny,
    });
    await runLive(monitor, {
      title: `bitcoin ${flags.network}`, intervalMs: flags.interval, json: flags.json, csv: flags.csv, color: flags.color, durationMs: flags.duration,
      seeded: Boolean(flags.seed?.length),
      startNotice: flags.seed?.length ? `dialling ${flags.seed.length} seed${flags.seed.length === 1 ? '' : 's'}…` : `asking ${choice.dnsSeeds?.length ?? 0} DNS seeds…`,
      meta: { protocol: 'bitcoin', network: flags.network },
      outputs: { settings: flags, command: 'monitor bitcoin', flags },
    });
  }
}
