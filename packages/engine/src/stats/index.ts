export { reducePeer, foldPeer, newPeerStats, isActive, wasReadyAtEnd, type PeerStats, type CommandTraffic } from './peer-stats.js';
export { reduceTotals, EMPTY_TOTALS, AddressTally, MAX_TALLIED_ADDRESSES, type Totals, type TotalsContext } from './totals.js';
export { buildSnapshot, consensusHeight, type NetworkSnapshot, type SnapshotInput } from './snapshot.js';
export { StatsCollector, KEEP_ENDED_PEERS, SESSION_EVENTS, type StatsState } from './collector.js';
export { reduceStats, sampleOn, conflate, flattenBatches } from './pipeline.js';
export { RunLedger, reduceOutcome, MAX_LEDGER_ADDRESSES, type AddressOutcome, type RunSummary } from './run-ledger.js';
