// Crawling a network on the engine: every address learned is dialled once; what each node said, and
// why the others failed, in a snapshot (bitnodes' JSON layout, or CSV) and a summary.
export { Crawler, crawl, type CrawlOptions, type CrawlProgress, type CrawlResult, type CrawlEnd } from './crawler.js';
export type { CrawlNode, NodeStatus, NodeSource } from './crawl-node.js';
export { networkType, type NetworkType } from './network-type.js';
export { summarize, latestHeight, type CrawlSummary, type DialSummary } from './summary.js';
export { bitnodesSnapshot, crawlCsv, csvTable, servicesNumber, CRAWL_CSV_COLUMNS, type BitnodesSnapshot, type BitnodesEntry } from './snapshot.js';
export type { DialNode, DialCrawlOptions } from './dial-crawl.js';
// Ethereum: a discv4 walk from the bootnodes, every node found dialled over devp2p (RLPx, Hello, Status).
export {
  EthereumCrawler, crawlEthereum, type EthereumCrawlOptions, type EthereumCrawlNode, type EthereumCrawlProgress, type EthereumCrawlResult,
  type DiscoveryStatus,
} from './ethereum-crawler.js';
export { summarizeEthereum, nodesJson, ethereumCsv, ETHEREUM_CSV_COLUMNS, type EthereumCrawlSummary, type NodesJsonEntry } from './ethereum-output.js';
