import { crawlEthereum, ethereumCsv, nodesJson, summarizeEthereum } from '@peerscope/crawler';
import { NETWORKS } from '@peerscope/ethereum';
import { BaseCommand, UsageError } from '../../base-command.js';
import { crawlFlags, crawlOptions, runCrawl } from '../../crawl-output.js';
import { enodeFlag, networkFlag } from '../../flags.js';
import { ethereumCrawlSummaryText } from '../../views/crawl.js';

export default class CrawlEthereum extends BaseCommand {
  static summary = 'Map an Ethereum network: walk discv4 from the bootnodes, then handshake once (RLPx, Hello, Status) with every node found';
  static description = `Bonds with every node discv4 finds from the --bootnode enodes (or the network's bootnodes) and asks it findnode for its own neighbourhood and a few random targets, until no new node appears (or --max-nodes, --duration); dials each node found over devp2p and records its client id, capabilities, p2p version, network id, genesis, fork id, head and total difficulty, handshake latency, and the typed reason of every node that failed (refused, timeout-handshake, closed-by-peer with the peer's disconnect reason, wrong-network). A progress line on a terminal, NDJSON progress with --json; --out writes the nodes (.json in go-ethereum's nodes.json layout, .csv one row per node). Ctrl-C ends the crawl and writes what was crawled so far.`;
  static examples = [
    '<%= config.bin %> crawl ethereum --duration 10m --out nodes.json',
    '<%= config.bin %> crawl ethereum --network sepolia --concurrency 200 --threads 2 --out nodes.csv',
    // A mainnet bootnode (go-ethereum's list).
    '<%= config.bin %> crawl ethereum --bootnode enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@18.138.108.67:30303 --json --max-nodes 1000',
  ];

  static flags = {
    bootnode: enodeFlag({ description: 'an enode URL to start discovery from (repeatable; default: the network\'s bootnodes)', multiple: true }),
    network: networkFlag({ description: 'Ethereum network our Status announces (any case); nodes of another end as wrong-network', names: Object.keys(NETWORKS), default: 'mainnet' }),
    ...crawlFlags({ jsonLayout: 'go-ethereum\'s nodes.json layout' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CrawlEthereum);
    const bootnodes = flags.bootnode?.length ? flags.bootnode : NETWORKS[flags.network].bootnodes;
    if (bootnodes.length === 0) throw new UsageError(`the ${flags.network} network has no bootnodes built in: give --bootnode`);
    const crawler = crawlEthereum({ ...crawlOptions(flags), bootnodes, network: flags.network });
    await runCrawl(crawler, {
      command: 'crawl ethereum', protocol: 'ethereum', network: flags.network, noun: 'nodes', flags,
      json: nodesJson, csv: ethereumCsv, summarize: summarizeEthereum,
      text: (summary, ended) => ethereumCrawlSummaryText(summary, `ethereum ${flags.network}`, ended),
    });
  }
}
