import os from 'node:os';
import path from 'node:path';

/** Where history lives unless --db says otherwise: $XDG_DATA_HOME/peerscope/history.db (XDG Base Directory). */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const data = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'peerscope', 'history.db');
}
