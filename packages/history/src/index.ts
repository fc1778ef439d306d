// What a monitor's history is: a database (SQLite file or PostgreSQL), a recorder that follows a
// monitor's streams into it, and the queries `peerscope history` and the dashboard ask.
export { openHistory, HistoryOpenError } from './store.js';
export { isPostgresUrl, openSql, type Sql, type Param, type Write } from './db.js';
export { migrate, schemaVersion, SCHEMA_VERSION, MIGRATIONS } from './schema.js';
export { Recorder, createRun, type RecorderOptions, type RunInfo, type Streams } from './recorder.js';
export {
  listRuns, resolveRun, peersAt, sessions, heights, snapshots, failures, propagation, vantages,
  type RunRow, type PeerAtRow, type HeightPoint, type FailureRow, type BlockRow,
} from './queries.js';
export { formatRows, type ExportFormat } from './format.js';
export { defaultDbPath } from './location.js';
export { describeWriteError, describeOpenError } from './errors.js';
