import { bitcoin, getNetwork, NETWORKS } from '@peerscope/bitcoin';
import { bitnodesSnapshot, crawl, crawlCsv, summarize } from '@peerscope/crawler';
import { BaseCommand } from '../../base-command.js';
import { crawlFlags, crawlOptions, runCrawl } from '../../crawl-output.js';
import { durationFlag, networkFlag, seedFlag } from '../../flags.js';
import { crawlSummaryText } from '../../views/crawl.js';

export default class CrawlBitcoin extends BaseCommand {
  static summary = 'Map a Bitcoin network: handshake once with every node it learns of';
  static description = `Starts from --seed nodes (or the network's DNS seeds), handshakes with every address it learns (getaddr), records each node's version message, handshake latency and the addresses it returned, and why the unreachable ones failed, until no address is left (or --max-nodes, --duration). A progress line on a terminal, NDJSON progress with --json; --out writes a snapshot (.json in bitnodes' layout, .csv one row per node). Ctrl-C ends the crawl and writes what was crawled so far.`;
  static examples = [
    '<%= config.bin %> crawl bitcoin --seed 127.0.0.1:18444 --network regtest --allow 127.0.0.0/8 --out nodes.json',
    '<%= config.bin %> crawl bitcoin --concurrency 500 --threads 2 --duration 10m --out snapshot.csv',
    '<%= config.bin %> crawl bitcoin --seed 127.0.0.1:18444 --network regtest --json --max-nodes 1000',
  ];
  static flags = {
    seed: seedFlag({ description: 'a node to start from, host:port (repeatable; hostnames are resolved)', multiple: true }),
    network: networkFlag({
      description: 'Bitcoin network (any case; Core\'s names main, test also work)', names: NETWORKS.map((n) => n.name), default: 'mainnet',
      canonical: (name) => { try { return getNetwork(name.trim()).name; } catch { return undefined; } },
    }),
    'addr-wait': durationFlag({ description: 'how long a node gets to answer getaddr before we hang up', default: 3_000, min: 100 }),
    ...crawlFlags({ jsonLayout: 'bitnodes snapshot layout' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CrawlBitcoin);
    const crawler = crawl({
      ...bitcoin({ network: flags.network as never }), ...crawlOptions(flags), seeds: flags.seed, addrWaitMs: flags['addr-wait'],
    });
    await runCrawl(crawler, {
      command: 'crawl bitcoin', protocol: 'bitcoin', network: flags.network, noun: 'addresses', flags,
      json: bitnodesSnapshot, csv: crawlCsv, summarize, text: (summary, ended) => crawlSummaryText(summary, `bitcoin ${flags.network}`, ended),
    });
  }
}
