// Crawling a network on the engine: every address learned is dialled once; what each node said, and
// why the others failed, in a snapshot (bitnodes' JSON layout, or CSV) and a summary.
export { Crawler, crawl, type CrawlOptions, type CrawlProgress, type CrawlResult, type CrawlEnd } from './crawler.js';
export type { CrawlNode, NodeStatus, NodeSource } from './crawl-node.js';
export { networkType, type NetworkType } from './network-type.js';
export { summarize, latestHeight, type CrawlSummary } from './summary.js';
export { bitnodesSnapshot, crawlCsv, servicesNumber, CRAWL_CSV_COLUMNS, type BitnodesSnapshot, type BitnodesEntry } from './snapshot.js';
