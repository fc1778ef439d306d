import type { HostileBehaviour } from './hostile-behaviour.js';

/** Fraction of the network per hostile kind, e.g. `{ stall: 0.01, garbage: 0.005 }`. */
export type HostileMix = Partial<Record<HostileBehaviour, number>>;

/** Every kind a simulated node can play (hostile-behaviour.ts). */
export const HOSTILE_KINDS: readonly HostileBehaviour[] = [
  'bad-magic', 'bad-checksum', 'oversize', 'garbage', 'malformed', 'stall', 'no-read-flood', 'trickle',
  'addr-flood', 'ping-flood', 'inv-flood', 'reset-mid-message', 'version-twice', 'never-verack',
  'verack-before-version', 'huge-user-agent', 'non-utf8-user-agent', 'silent', 'self-connection',
];

/** Kinds that cost the simulating process almost nothing (no pumping floods): what a bare fraction means. */
export const CHEAP_HOSTILE_KINDS: readonly HostileBehaviour[] = ['bad-magic', 'bad-checksum', 'garbage', 'malformed', 'stall'];

/** A hostile mix the user wrote wrong: the CLI prints the message as one line (exit 2). */
export class HostileMixError extends Error {
  override name = 'HostileMixError';
}

/** `fraction` spread evenly over `kinds` (demo's `--hostile 0.05`). */
export function evenHostileMix(fraction: number, kinds: readonly HostileBehaviour[] = CHEAP_HOSTILE_KINDS): HostileMix {
  checkFraction(fraction, String(fraction));
  return Object.fromEntries(kinds.map((k) => [k, fraction / kinds.length]));
}

/**
 * Parses the CLI form `stall=0.01,garbage=0.005`. Each kind at most once; each fraction in [0, 1];
 * together at most 1.
 */
export function parseHostileMix(text: string): HostileMix {
  const mix: HostileMix = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z0-9-]+)=(.+)$/.exec(part);
    if (!m) throw new HostileMixError(`"${part}" is not kind=fraction (e.g. stall=0.01)`);
    const [, kind, value] = m;
    if (!HOSTILE_KINDS.includes(kind as HostileBehaviour)) throw new HostileMixError(`unknown hostile kind "${kind}" (known: ${HOSTILE_KINDS.join(', ')})`);
    if (kind in mix) throw new HostileMixError(`hostile kind "${kind}" given twice`);
    mix[kind as HostileBehaviour] = checkFraction(Number(value), value);
  }
  if (Object.keys(mix).length === 0) throw new HostileMixError(`"${text}" names no hostile kind (e.g. stall=0.01,garbage=0.005)`);
  checkMix(mix);
  return mix;
}

/** Throws HostileMixError unless every fraction is in [0, 1], every kind known and the sum at most 1. */
export function checkMix(mix: HostileMix): void {
  let sum = 0;
  for (const [kind, f] of Object.entries(mix)) {
    if (!HOSTILE_KINDS.includes(kind as HostileBehaviour)) throw new HostileMixError(`unknown hostile kind "${kind}"`);
    sum += checkFraction(f, String(f));
  }
  if (sum > 1 + 1e-9) throw new HostileMixError(`hostile fractions add up to ${sum}, more than 1`);
}

function checkFraction(f: number, text: string): number {
  if (!(Number.isFinite(f) && f >= 0 && f <= 1)) throw new HostileMixError(`"${text}" is not a fraction between 0 and 1`);
  return f;
}

/** The kind a node with uniform draw `u` plays, walking the mix's cumulative fractions; undefined = honest. */
export function hostileKindAt(mix: HostileMix, u: number): HostileBehaviour | undefined {
  let acc = 0;
  for (const kind of HOSTILE_KINDS) {
    acc += mix[kind] ?? 0;
    if (u < acc) return kind;
  }
  return undefined;
}
