import { Command, Errors } from '@oclif/core';

/**
 * Exit codes, the same for every command (documented in the README):
 * 0 the run did its job; 1 a bug or an unexpected failure; 2 the user's input (a flag, an argument, an
 * address, a file, a port) is wrong or unusable; 3 no peer ever became ready; 4 every JSON-RPC
 * endpoint failed; 5 a network sum could not reach any node.
 */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, NO_PEER_READY: 3, RPC_ALL_FAILED: 4, SUM_UNREACHABLE: 5 } as const;

/** A mistake in what the user typed: one line, exit code 2, with a pointer to --help. */
export class UsageError extends Error {}

/** The user's environment does not allow it (a port in use, a missing file): one line, exit code 2. */
export class EnvironmentError extends Error {}

/**
 * Every peerscope command: a usage mistake (bad flag, malformed seed) or an environment error (port in
 * use, missing file, a host that does not resolve) is one clear line on stderr and exit code 2;
 * anything else is one line and exit code 1. No stack traces, no raw errno text.
 */
export abstract class BaseCommand extends Command {
  protected async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    const usage = isUsageError(err);
    const environment = usage ? undefined : describeEnvironmentError(err);
    const text = environment ?? oneLine(err.message);
    process.stderr.write(`peerscope: ${text}${usage ? ` (see ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help)` : ''}\n`);
    const code = usage || environment !== undefined ? EXIT.USAGE : (err.oclif?.exit ?? EXIT.ERROR);
    process.exitCode = code;
    this.exit(code);
  }
}

function isUsageError(err: Error & { oclif?: { exit?: number } }): boolean {
  if (err instanceof UsageError) return true;
  // oclif's parser errors (unknown flag, bad value, missing arg) carry exit 2 or come from the parser.
  return err.oclif?.exit === 2 || /Parse|Flag|Arg|Validation/.test(err.constructor?.name ?? '') || /^Parsing --/.test(err.message);
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is it running, on that port?)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (no DNS answer)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'no answer in time',
};

/**
 * A JSON-RPC call that failed because of the URL the user gave (nothing listens there, the name does
 * not resolve, it is no JSON-RPC endpoint): one line naming the URL, exit code 2. Other failures (the
 * node's own error) are left as they are.
 */
export function rpcFailure(url: string, err: unknown): Error {
  const e = err as { name?: string; kind?: string; message?: string };
  if (e?.name !== 'RpcError') return err as Error;
  const message = e.message ?? '';
  const code = /\b(E[A-Z_]{3,})\b/.exec(message)?.[1];
  const reason = (code && REASONS[code]) ?? (message === 'bad port' ? 'that port is not allowed for HTTP (Fetch "bad port" list)' : message);
  switch (e.kind) {
    case 'unreachable': return new EnvironmentError(`cannot reach ${url}: ${reason}`);
    case 'timeout': return new EnvironmentError(`${url} did not answer in time`);
    case 'http':
    case 'non-json': return new EnvironmentError(`${url} is not a JSON-RPC endpoint: ${message}`);
    default: return err as Error;
  }
}

type SystemError = Error & { code?: string; syscall?: string; address?: string; port?: number; path?: string; hostname?: string; cause?: unknown };

/**
 * The errors a user's environment causes, as one line saying what to change; undefined for others.
 * Looks through `cause` (fetch wraps the socket's error).
 */
export function describeEnvironmentError(err: unknown): string | undefined {
  if (err instanceof EnvironmentError) return oneLine(err.message);
  for (let e = err as SystemError | undefined, depth = 0; e && depth < 4; e = e.cause as SystemError | undefined, depth++) {
    const where = e.address !== undefined ? `${e.address}${e.port !== undefined ? `:${e.port}` : ''}` : (e.hostname ?? '');
    switch (e.code) {
      case 'EADDRINUSE': return `${where || 'the port'} is already in use: pick another --port (0: any free port)`;
      case 'EADDRNOTAVAIL': return `${where || 'that address'} is not an address of this machine: listen on one it has (e.g. 127.0.0.1, 0.0.0.0)`;
      case 'EACCES': return e.path ? `permission denied: ${e.path}` : `permission denied to listen on ${where || 'that port'} (ports below 1024 need privileges)`;
      case 'ENOENT': return `no such file or directory: ${e.path ?? '?'}`;
      case 'EISDIR': return `is a directory, not a file: ${e.path ?? '?'}`;
      case 'ENOTDIR': return `not a directory: ${e.path ?? '?'}`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN': return `${e.hostname ?? 'the host'} does not resolve (no DNS answer)`;
      case 'ECONNREFUSED': return `connection refused by ${where || 'the server'}: is it running, on that port?`;
      case 'EHOSTUNREACH':
      case 'ENETUNREACH': return `${where || 'the host'} is unreachable from here`;
      case 'ETIMEDOUT':
      case 'UND_ERR_CONNECT_TIMEOUT': return `${where || 'the server'} did not answer in time`;
      default: break;
    }
  }
  return undefined;
}

/** oclif wraps parse failures over several lines ("Parsing --seed \n\t…"); users get one. */
function oneLine(message: string): string {
  const lines = message.replace(/\s*See more help with --help\.?/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length > 1 && /^Parsing --/.test(lines[0])) return `${lines[0].replace(/^Parsing /, '')}: ${lines.slice(1).join(' ')}`;
  return lines.join(' ');
}
