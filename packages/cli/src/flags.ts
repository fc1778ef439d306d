import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Flags, type Interfaces } from '@oclif/core';
import { parseAddress, parseCidr, type HostPort } from '@peerscope/engine';
import { parseEnode } from '@peerscope/ethereum';
import { formatDuration, parseDuration, type DurationRules } from './duration.js';

/**
 * A duration flag (5s, 500ms, 2m; a bare number keeps the flag's old unit) parsed to milliseconds, with
 * its default shown in the same syntax in --help.
 */
type DurationOptions = DurationRules & { description: string; default?: number; required?: boolean };
export function durationFlag(o: DurationOptions & ({ default: number } | { required: true })): Interfaces.OptionFlag<number>;
export function durationFlag(o: DurationOptions): Interfaces.OptionFlag<number | undefined>;
export function durationFlag(o: DurationOptions): Interfaces.OptionFlag<number | undefined> {
  const bounds = o.min !== undefined ? ` (at least ${formatDuration(o.min)})` : '';
  return Flags.custom<number>({ parse: async (input) => parseDuration(input, o), helpValue: '<duration>' })({
    description: `${o.description}${bounds}`,
    ...(o.default !== undefined ? { default: o.default, defaultHelp: async () => formatDuration(o.default!) } : {}),
    ...(o.required ? { required: true as const } : {}),
  }) as Interfaces.OptionFlag<number | undefined>;
}

const cidr = Flags.custom<string>({
  parse: async (input) => {
    parseCidr(input);
    return input;
  },
});

/**
 * The one host:port parser, with a hint for the common IPv6 slip: `::1:18444` is no address with a
 * port (is 18444 a port or the last group?); `[::1]:18444` is.
 */
export function checkAddress(input: string, defaultPort?: number): HostPort {
  const s = input.trim();
  if (!s.startsWith('[') && (s.match(/:/g)?.length ?? 0) >= 2) {
    const i = s.lastIndexOf(':');
    const host = s.slice(0, i);
    const port = s.slice(i + 1);
    if (net.isIPv6(host) && /^\d{1,5}$/.test(port)) {
      throw new Error(net.isIPv6(s)
        ? `"${s}" is ambiguous: write [${s}] for the address alone, or [${host}]:${port} for port ${port}`
        : `"${s}" is not an address: an IPv6 address with a port is written [${host}]:${port}`);
    }
  }
  return parseAddress(s, defaultPort);
}

/** host:port (or [v6]:port, or host alone with the network's default port); resolved later. */
export const seedFlag = Flags.custom<string>({
  parse: async (input) => {
    checkAddress(input, 1);
    return input.trim();
  },
});

/** An Ethereum node's enode URL (enode://<128 hex>@ip:port[?discport=N]). */
export const enodeFlag = Flags.custom<string>({
  parse: async (input) => {
    parseEnode(input);
    return input.trim();
  },
});

/** A node to dial: host:port or [v6]:port, no default port. */
export const addressFlag = Flags.custom<HostPort>({ parse: async (input) => checkAddress(input) });

/** An IP address or a host name (which must resolve when used); throws a one-line message. */
export function checkHost(input: string): string {
  const s = input.trim().replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(s)) return s;
  if (/^[\d.]+$/.test(s)) throw new Error(`"${input}" is not an IP address`);
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(s)) throw new Error(`"${input}" is not an IP address or host name`);
  return s;
}

/** An address to listen on: an IP address, or a host name (which must resolve when the server starts). */
export const hostFlag = Flags.custom<string>({ parse: async (input) => checkHost(input) });

/** An http(s) URL (a JSON-RPC endpoint). */
export const urlFlag = Flags.custom<string>({
  parse: async (input) => {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new Error(`"${input}" is not a URL (e.g. http://127.0.0.1:8545)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${input}" is not an http(s) URL`);
    return input;
  },
});

/**
 * A data file: `mustExist` for one that is only read; otherwise its folder must exist (peerscope never
 * creates folders the user did not ask for, e.g. from a typo).
 */
type DataFileOptions = { description: string; required?: boolean; mustExist?: boolean };
export function dataFileFlag(o: DataFileOptions & { required: true }): Interfaces.OptionFlag<string>;
export function dataFileFlag(o: DataFileOptions): Interfaces.OptionFlag<string | undefined>;
export function dataFileFlag(o: DataFileOptions): Interfaces.OptionFlag<string | undefined> {
  return Flags.custom<string>({
    parse: async (input) => {
      const file = path.resolve(input);
      if (o.mustExist) {
        let stat: fs.Stats;
        try {
          stat = fs.statSync(file);
        } catch {
          throw new Error(`no such file: ${input}`);
        }
        if (!stat.isFile()) throw new Error(`not a file: ${input}`);
        try {
          fs.accessSync(file, fs.constants.R_OK);
        } catch {
          throw new Error(`cannot read ${input} (permission denied)`);
        }
      } else {
        const dir = path.dirname(file);
        if (!fs.existsSync(dir)) throw new Error(`the folder ${path.dirname(input)} does not exist (create it first)`);
        if (!fs.statSync(dir).isDirectory()) throw new Error(`${path.dirname(input)} is not a folder`);
        if (fs.existsSync(file) && !fs.statSync(file).isFile()) throw new Error(`not a file: ${input}`);
      }
      return input;
    },
  })({ description: o.description, ...(o.required ? { required: true as const } : {}) }) as Interfaces.OptionFlag<string | undefined>;
}

/** A network name, matched without regard to case (and Core's aliases where `canonical` knows them). */
export function networkFlag(o: { description: string; names: readonly string[]; default: string; canonical?: (name: string) => string | undefined }) {
  return Flags.custom<string>({
    parse: async (input) => {
      const name = o.canonical?.(input) ?? o.names.find((n) => n.toLowerCase() === input.trim().toLowerCase());
      if (!name) throw new Error(`unknown network "${input}" (known: ${o.names.join(', ')})`);
      return name;
    },
    helpValue: `<${o.names.join('|')}>`,
  })({ description: o.description, default: o.default });
}

/** The flags every monitor shares (Bitcoin, Ethereum). */
export const monitorFlags = {
  peers: Flags.integer({ description: 'peers to keep connected', default: 8, min: 1, max: 10_000 }),
  interval: durationFlag({ description: 'how often the view is redrawn / a snapshot is written', default: 5_000, min: 100 }),
  duration: durationFlag({ description: 'run this long, then print the final summary and exit (e.g. 30s, 10m)' }),
  threads: Flags.integer({ description: 'worker threads for peer connections (0 = run them on the main thread)', default: 1, min: 0, max: 64 }),
  allow: cidr({ description: 'only dial addresses in this CIDR block (repeatable)', multiple: true }),
  deny: cidr({ description: 'never dial addresses in this CIDR block (repeatable)', multiple: true }),
  json: Flags.boolean({ description: 'write one JSON record per interval to stdout (NDJSON), then the summary', exclusive: ['csv'] }),
  csv: Flags.boolean({ description: 'write the peer table as CSV each interval, then the summary rows', exclusive: ['json'] }),
  color: Flags.boolean({ description: 'colour the live view (--no-color, or NO_COLOR, turns it off)', default: true, allowNo: true }),
};
