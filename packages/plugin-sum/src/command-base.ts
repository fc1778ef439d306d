import { Command, Errors } from '@oclif/core';

/** A usage mistake is one clear line on stderr and exit 2; any other failure one line and exit 1. */
export abstract class SumBaseCommand extends Command {
  protected async catch(err: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    const usage = err instanceof UsageError || err.oclif?.exit === 2 || /Parse|Flag|Arg|Validation/.test(err.constructor?.name ?? '');
    const lines = err.message.replace(/\s*See more help with --help\.?/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
    const text = lines.length > 1 && /^Parsing --/.test(lines[0]) ? `${lines[0].replace(/^Parsing /, '')}: ${lines.slice(1).join(' ')}` : lines.join(' ');
    process.stderr.write(`peerscope: ${text}${usage ? ` (see ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help)` : ''}\n`);
    this.exit(usage ? 2 : 1);
  }
}

export class UsageError extends Error {}

/** `host:port` → parts; a one-line UsageError otherwise. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`"${text}" is not host:port (e.g. 127.0.0.1:8001)`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}
