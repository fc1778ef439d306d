import { Flags } from '@oclif/core';
import { DEFAULT_BASE_HOST, isSteady, loopbackHosts, parseHostileMix, startRealisticSimnet, type ChurnOptions, type PlannedNode, type RealisticSimnet } from '@peerscope/simnet';
import { BaseCommand, UsageError } from '../../base-command.js';
import { formatDuration, parseDuration } from '../../duration.js';
import { durationFlag } from '../../flags.js';
import { ndjson } from '../../views/json.js';

/** A latency range: `20ms-200ms`, or one value for every node (`50ms`); 0 allowed. */
function parseRange(text: string): [number, number] {
  const ms = (s: string) => (/^0(ms|s)?$/.test(s.trim()) ? 0 : parseDuration(s, { unit: 'ms' }));
  const parts = text.split('-');
  if (parts.length > 2) throw new Error(`"${text}" is not a range (e.g. 20ms-200ms)`);
  const [min, max] = [ms(parts[0]), ms(parts[1] ?? parts[0])];
  if (max < min) throw new Error(`"${text}": the range ends before it starts`);
  return [min, max];
}

/** Churn as `fraction,down[,up]`: e.g. `0.05,30s` (5% of nodes down 30 s out of every 2.5 min). */
function parseChurn(text: string): ChurnOptions {
  const [f, down, up, ...rest] = text.split(',');
  const fraction = Number(f);
  if (rest.length > 0 || down === undefined || !(fraction >= 0 && fraction <= 1) || f.trim() === '') {
    throw new Error(`"${text}" is not fraction,down[,up] (e.g. 0.05,30s)`);
  }
  return { fraction, downMs: parseDuration(down), ...(up !== undefined ? { upMs: parseDuration(up) } : {}) };
}

const hostileFlag = Flags.custom({ parse: async (input: string) => parseHostileMix(input), helpValue: 'kind=fraction,…' });
const rangeFlag = Flags.custom({ parse: async (input: string) => parseRange(input), helpValue: '<min-max>' });
const churnFlag = Flags.custom({ parse: async (input: string) => parseChurn(input), helpValue: 'fraction,down[,up]' });

export default class SimnetBitcoin extends BaseCommand {
  static override summary = 'Run a simulated Bitcoin regtest network on loopback that looks like mainnet to a crawler';
  static override description = `Thousands of lightweight nodes, each on its own 127.x.y.z address, with mainnet's mix of user agents, protocol versions, service bits, ports and heights, per-node answer latency and block propagation delay. getaddr answers hold up to 1,000 addresses from across the network plus stale, non-routable and (in addrv2) Tor, I2P and CJDNS entries. The same --seed gives the same network. Runs until Ctrl-C or SIGTERM; listens on loopback only.`;
  static override examples = [
    '<%= config.bin %> simnet bitcoin --nodes 2000 --seed 1',
    '<%= config.bin %> simnet bitcoin --nodes 20000 --hostile stall=0.01,garbage=0.005 --churn 0.05,30s --json',
  ];
  static override flags = {
    nodes: Flags.integer({ description: 'simulated nodes', default: 1_000, min: 1, max: 200_000 }),
    seed: Flags.string({ description: 'what the network is generated from: the same seed, the same network', default: '1' }),
    hostile: hostileFlag({ description: 'fraction of nodes per hostile kind, e.g. stall=0.01,garbage=0.005' }),
    latency: rangeFlag({ description: 'answer latency per node, drawn from this range (skewed low)', default: [20, 200] as [number, number], defaultHelp: async () => '20ms-200ms' }),
    'block-interval': durationFlag({ description: 'mine a block this often', default: 10_000, min: 100 }),
    churn: churnFlag({ description: 'fraction of nodes going down and coming back: fraction,down[,up] (up defaults to 4 × down)' }),
    'base-host': Flags.string({ description: 'first loopback address; node i gets the i-th after it', default: DEFAULT_BASE_HOST }),
    port: Flags.integer({ description: 'the default port most nodes listen on (default: 18444 if free, else a free one)', min: 1, max: 65_535 }),
    'per-process': Flags.integer({ description: 'nodes per process; a larger network is forked into shards', default: 3_000, min: 1 }),
    'addr-per-getaddr': Flags.integer({ description: 'entries in each getaddr answer (Core sends up to 1,000)', default: 1_000, min: 1, max: 1_000 }),
    json: Flags.boolean({ description: 'one NDJSON record describing the network (docs/schemas/simnet.schema.json)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SimnetBitcoin);
    try {
      loopbackHosts(flags['base-host'], flags.nodes);
    } catch (err) {
      throw new UsageError(`--base-host: ${(err as Error).message}`);
    }
    if (!flags.json) process.stderr.write(`starting ${flags.nodes} simulated nodes from ${flags['base-host']}…\n`);
    const network = await startRealisticSimnet({
      seed: flags.seed, nodes: flags.nodes, baseHost: flags['base-host'], port: flags.port, latencyMs: flags.latency,
      hostile: flags.hostile, churn: flags.churn, perProcess: flags['per-process'], addrPerGetaddr: flags['addr-per-getaddr'],
      blockIntervalMs: flags['block-interval'],
    });
    try {
      if (flags.json) ndjson((line) => process.stdout.write(line))('simnet', describe(network, flags.seed, flags['block-interval']));
      else for (const line of summary(network, flags['block-interval'])) this.log(line);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    } finally {
      await network.close();
    }
    if (!flags.json) this.log('simnet closed');
  }
}

const countBy = <K>(nodes: PlannedNode[], key: (n: PlannedNode) => K) => {
  const counts = new Map<K, number>();
  for (const n of nodes) counts.set(key(n), (counts.get(key(n)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
};

/** The --json record (docs/schemas/simnet.schema.json). */
function describe(network: RealisticSimnet, seed: string, blockIntervalMs: number) {
  const { nodes } = network;
  return {
    protocol: 'bitcoin', network: 'regtest', seed, nodes: nodes.length, seeds: network.seeds, port: network.port, altPorts: network.altPorts,
    firstHost: nodes[0].host, lastHost: nodes.at(-1)!.host, processes: network.processes, height: network.height(), blockIntervalMs,
    userAgents: Object.fromEntries(countBy(nodes, (n) => n.userAgent)),
    hostile: Object.fromEntries(countBy(nodes.filter((n) => n.hostile), (n) => n.hostile!)),
    churning: nodes.filter((n) => n.churn).length,
    lagging: nodes.filter((n) => n.lag > 0).length,
  };
}

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1).padStart(5)}%`;

function summary(network: RealisticSimnet, blockIntervalMs: number): string[] {
  const { nodes } = network;
  const hostile = countBy(nodes.filter((n) => n.hostile), (n) => n.hostile!);
  const steady = nodes.filter(isSteady).length;
  return [
    `simnet: ${nodes.length} bitcoin regtest nodes on ${nodes[0].host} … ${nodes.at(-1)!.host}, ${network.processes > 0 ? `${network.processes} processes` : 'one process'}`,
    `seeds: ${network.seeds.join(' ')}`,
    `ports: ${countBy(nodes, (n) => n.port).map(([p, c]) => `${p} (${c})`).join(', ')}`,
    `height ${network.height()}, a block every ${formatDuration(blockIntervalMs)}; ${nodes.filter((n) => n.lag > 0).length} nodes lagging; ${nodes.length - steady} hostile or churning${hostile.length ? ` (${hostile.map(([k, c]) => `${k} ${c}`).join(', ')})` : ''}`,
    'user agents:',
    ...countBy(nodes, (n) => n.userAgent).map(([ua, c]) => `  ${pct(c, nodes.length)} ${String(c).padStart(6)}  ${ua}`),
    'running until Ctrl-C',
  ];
}
