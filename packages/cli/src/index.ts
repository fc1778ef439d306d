// What a plugin's commands import: the base command (one line per error, exit code 2 for usage), the
// shared flags, and the live view a protocol plugin's monitor command runs.
export { BaseCommand, UsageError, EnvironmentError, EXIT } from './base-command.js';
export { addressFlag, dataFileFlag, durationFlag, hostFlag, monitorFlags, networkFlag, seedFlag, urlFlag } from './flags.js';
export { runLive, type LiveOptions } from './live.js';
export type { ExtraColumn } from './views/columns.js';
export { nodeEventJson } from './views/node-events.js';
export { escapeControls } from './views/sanitize.js';
export { ndjson } from './views/json.js';
