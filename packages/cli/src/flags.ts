import { Flags } from '@oclif/core';
import { parseAddress, parseCidr, type HostPort } from '@peerscope/engine';
import { parseDuration } from './duration.js';

/** A duration flag (5s, 500ms, 2m) parsed to milliseconds. */
export const durationFlag = Flags.custom<number>({ parse: async (input) => parseDuration(input) });
const cidr = Flags.custom<string>({
  parse: async (input) => {
    parseCidr(input);
    return input;
  },
});

/** host:port (or [v6]:port, or host alone with the network's default port); resolved later. */
export const seedFlag = Flags.custom<string>({
  parse: async (input) => {
    parseAddress(input, 1);
    return input;
  },
});

/** A node to dial: host:port or [v6]:port, no default port. */
export const addressFlag = Flags.custom<HostPort>({ parse: async (input) => parseAddress(input) });

/** The flags every monitor shares (Bitcoin, Ethereum). */
export const monitorFlags = {
  peers: Flags.integer({ description: 'peers to keep connected', default: 8, min: 1, max: 10_000 }),
  interval: durationFlag({ description: 'how often the view is redrawn / a snapshot is written (e.g. 5s, 500ms)', default: 5_000 }),
  duration: durationFlag({ description: 'run this long, then print the final summary and exit (e.g. 30s, 10m)' }),
  threads: Flags.integer({ description: 'worker threads for peer connections (0 = run them on the main thread)', default: 1, min: 0, max: 64 }),
  allow: cidr({ description: 'only dial addresses in this CIDR block (repeatable)', multiple: true }),
  deny: cidr({ description: 'never dial addresses in this CIDR block (repeatable)', multiple: true }),
  json: Flags.boolean({ description: 'write one JSON snapshot per interval to stdout (newline-delimited), then a summary' }),
};
