import { Flags } from '@oclif/core';
import { createMonitor } from '@peerscope/engine';
import { ethereum, keepDiscovering, NETWORKS } from '@peerscope/ethereum';
import { BaseCommand } from '../../base-command.js';
import { runLive } from '../../live.js';
import { outputFlags } from '../../outputs.js';
import { durationFlag, enodeFlag, monitorFlags, networkFlag } from '../../flags.js';
import type { ExtraColumn } from '../../views/columns.js';

/** What an Ethereum peer says in Hello and Status, as the peer table shows it (keys of its handshake details). */
const ETHEREUM_COLUMNS: ExtraColumn[] = [
  { header: 'CAPS', detail: 'capabilities' },
  { header: 'FORK ID', detail: 'forkId' },
  { header: 'NETWORK', detail: 'networkId' },
];

export default class MonitorEthereum extends BaseCommand {
  static summary = 'Watch Ethereum peers live over devp2p: clients, capabilities, fork ids, ping, traffic';
  static description = `Connects natively (RLPx, p2p/5, eth/68 and eth/67) to N peers: the --seed enodes, or nodes found by a discv4 lookup from the network's bootnodes (or --bootnode). Shows each peer's client id, capabilities, network id, fork id, best hash, total difficulty, RTT, disconnect reason and traffic by message type, redrawn every interval. Ctrl-C closes every connection and prints the final summary.`;
  static examples = [
    // A mainnet bootnode (go-ethereum's list): it answers discovery and, when it has room, devp2p.
    '<%= config.bin %> monitor ethereum --seed enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@18.138.108.67:30303 --peers 1',
    '<%= config.bin %> monitor ethereum --network sepolia --peers 16',
    '<%= config.bin %> monitor ethereum --bootnode enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@18.138.108.67:30303 --json --duration 30s',
  ];
  static flags = {
    seed: enodeFlag({ description: 'an enode URL to dial (repeatable); without it, peers come from discovery', multiple: true }),
    bootnode: enodeFlag({ description: 'an enode URL to start discv4 discovery from (repeatable; default: the network\'s bootnodes)', multiple: true }),
    network: networkFlag({ description: 'Ethereum network (any case)', names: Object.keys(NETWORKS), default: 'mainnet' }),
    discover: Flags.integer({ description: 'nodes one discovery round may find (rounds repeat every 30s while running)', default: 64, min: 1, max: 10_000 }),
    'ping-interval': durationFlag({ description: 'time between pings (a bare number is seconds)', default: 15_000, min: 1_000 }),
    ...monitorFlags,
    ...outputFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MonitorEthereum);
    if (!flags.seed?.length && !flags.json && !flags.csv) process.stderr.write('peerscope: discovering peers (discv4)…\n');
    const choice = await ethereum({
      network: flags.network, seeds: flags.seed, bootnodes: flags.bootnode, discover: Math.max(flags.discover, flags.peers),
      pingIntervalMs: flags['ping-interval'],
    });
    if (choice.seeds.length === 0) process.stderr.write('peerscope: warning: the first discovery round found no peers; still looking\n');
    const monitor = createMonitor({
      ...choice, target: flags.peers, threads: flags.threads, intervalMs: flags.interval, allow: flags.allow, deny: flags.deny,
    });
    // Without seeds, discovery keeps supplying nodes, so peers that fail (most mainnet nodes are full) are replaced.
    const discovering = flags.seed?.length
      ? undefined
      : await keepDiscovering({
        privateKey: choice.config.privateKey, bootnodes: flags.bootnode?.length ? flags.bootnode : choice.config.chain.bootnodes,
        maxNodes: flags.discover, onFound: (addresses) => monitor.learn(addresses),
      });
    try {
      await runLive(monitor, {
        title: `ethereum ${flags.network}`, intervalMs: flags.interval, json: flags.json, csv: flags.csv, color: flags.color, durationMs: flags.duration,
        seeded: flags.seed?.length ? true : undefined, startNotice: `dialling ${choice.seeds.length} node${choice.seeds.length === 1 ? '' : 's'}…`,
        meta: { protocol: 'ethereum', network: flags.network }, extraColumns: ETHEREUM_COLUMNS,
        outputs: { settings: flags, command: 'monitor ethereum', flags },
      });
    } finally {
      await discovering?.stop();
    }
  }
}
