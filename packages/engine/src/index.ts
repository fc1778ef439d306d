// What a program embedding peerscope uses: a monitor, its streams and their types. Protocol authors
// import from '@peerscope/engine/protocol' instead.
export type { PeerEvent, PeerEventBody, PeerInfo, PeerState, PeerEnd, FailureReason, EngineFailure, CommonProtocolFailure } from './events.js';
export { ENGINE_FAILURES, COMMON_PROTOCOL_FAILURES } from './events.js';
export { createMonitor, Monitor, type MonitorOptions, type ProtocolChoice } from './monitor.js';
export type { Executor, HeapStatistics, Listener, ListenSpec, PeerHandle, PeerSpec } from './executor.js';
export { InProcessExecutor } from './in-process-executor.js';
export { PoolExecutor, type PoolExecutorOptions } from './pool-executor.js';
export { PeerKeeper, type PeerKeeperOptions } from './peer-keeper.js';
export { AddressBook, DEFAULT_BACKOFF, MAX_BOOK_ENTRIES, type BookEntry, type AddressSource } from './address-book.js';
export { AddressFilter, parseCidr } from './address-filter.js';
export { isLoopback, isRoutable } from './routable.js';
export { formatAddress, parseAddress, parsePeerAddress, type HostPort, type PeerAddress } from './address.js';
export { backoffDelay, type BackoffPolicy } from './backoff.js';
export type { PeerTimeouts } from './peer-machine.js';
export * from './stats/index.js';
export { csvField } from './csv.js';
