import { COMMAND_SIZE } from './limits.js';

/**
 * Commands Core knows (protocol.cpp ALL_NET_MESSAGE_TYPES) plus a few of other implementations.
 * Their header bytes are matched as three uint32 words so the common case creates no new string.
 */
const INTERNED = [
  'version', 'verack', 'addr', 'addrv2', 'sendaddrv2', 'inv', 'getdata', 'merkleblock', 'getblocks',
  'getheaders', 'tx', 'headers', 'block', 'getaddr', 'mempool', 'ping', 'pong', 'notfound',
  'filterload', 'filteradd', 'filterclear', 'sendheaders', 'feefilter', 'sendcmpct', 'cmpctblock',
  'getblocktxn', 'blocktxn', 'getcfilters', 'cfilter', 'getcfheaders', 'cfheaders', 'getcfcheckpt',
  'cfcheckpt', 'wtxidrelay', 'sendtxrcncl', 'reject', 'alert',
];

interface Entry { w1: number; w2: number; name: string }

const TABLE = new Map<number, Entry[]>();
for (const name of INTERNED) {
  const b = commandBytes(name);
  const w0 = word(b, 0), w1 = word(b, 4), w2 = word(b, 8);
  const list = TABLE.get(w0) ?? [];
  list.push({ w1, w2, name });
  TABLE.set(w0, list);
}

function word(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

/** The 12 NUL-padded bytes of a command; throws for names Core would reject. */
export function commandBytes(command: string): Uint8Array {
  if (command.length > COMMAND_SIZE) throw new RangeError(`command "${command}" longer than ${COMMAND_SIZE} bytes`);
  const out = new Uint8Array(COMMAND_SIZE);
  for (let i = 0; i < command.length; i++) {
    const c = command.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`command "${command}" is not printable ASCII`);
    out[i] = c;
  }
  return out;
}

/**
 * The command in src[o, o+12), or undefined when it is not NUL-padded printable ASCII
 * (Core: CMessageHeader::IsCommandValid — printable up to the first NUL, only NULs after it).
 */
export function readCommand(src: Uint8Array, o: number): string | undefined {
  const candidates = TABLE.get(word(src, o));
  if (candidates !== undefined) {
    const w1 = word(src, o + 4), w2 = word(src, o + 8);
    for (const c of candidates) if (c.w1 === w1 && c.w2 === w2) return c.name;
  }
  let len = 0;
  while (len < COMMAND_SIZE && src[o + len] !== 0) {
    const c = src[o + len];
    if (c < 0x20 || c > 0x7e) return undefined;
    len++;
  }
  for (let i = len; i < COMMAND_SIZE; i++) if (src[o + i] !== 0) return undefined;
  let name = '';
  for (let i = 0; i < len; i++) name += String.fromCharCode(src[o + i]);
  return name;
}
