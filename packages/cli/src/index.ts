// What a plugin's commands import: the base command (one line per error, exit code 2 for usage), the
// shared flags, and the live view a protocol plugin's monitor command runs.
export { BaseCommand, UsageError } from './base-command.js';
export { addressFlag, durationFlag, monitorFlags, seedFlag } from './flags.js';
export { runLive, type LiveOptions } from './live.js';
export type { ExtraColumn } from './views/table.js';
export { nodeEventJson } from './views/node-events.js';
