// Shared pieces for commands in other packages (plugins, the Ethereum monitors).
export { BaseCommand, UsageError } from './base-command.js';
export { monitorFlags, seedFlag } from './monitor-flags.js';
export { parseDuration } from './duration.js';
export { runLive, type LiveOptions } from './live.js';
export { renderTable, networkSummary, peerTable, type ViewContext, type ExtraColumn } from './views/table.js';
export { rpcTable } from './views/rpc-table.js';
export { jsonLine } from './views/json.js';
