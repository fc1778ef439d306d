import { Command, Errors } from '@oclif/core';

/**
 * Every peerscope command: a usage mistake (bad flag, malformed seed) is one clear line on stderr and
 * exit code 2; anything else is one line and exit code 1. No stack traces for users.
 */
export abstract class BaseCommand extends Command {
  protected async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err;
    const usage = isUsageError(err);
    const text = oneLine(err.message);
    process.stderr.write(`peerscope: ${text}${usage ? ` (see ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help)` : ''}\n`);
    process.exitCode = usage ? 2 : 1;
    this.exit(process.exitCode);
  }
}

export class UsageError extends Error {}

function isUsageError(err: Error & { oclif?: { exit?: number } }): boolean {
  if (err instanceof UsageError) return true;
  // oclif's parser errors (unknown flag, bad value, missing arg) carry exit 2 or come from the parser.
  return err.oclif?.exit === 2 || /Parse|Flag|Arg|Validation/.test(err.constructor?.name ?? '') || /^Parsing --/.test(err.message);
}

/** oclif wraps parse failures over several lines ("Parsing --seed \n\t…"); users get one. */
function oneLine(message: string): string {
  const lines = message.replace(/\s*See more help with --help\.?/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length > 1 && /^Parsing --/.test(lines[0])) return `${lines[0].replace(/^Parsing /, '')}: ${lines.slice(1).join(' ')}`;
  return lines.join(' ');
}
