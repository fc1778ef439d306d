import { formatAddress } from '@peerscope/engine';
import { isIP } from 'node:net';
import { fromHex, hex } from './bytes.js';
import { keccak256 } from './rlpx/crypto.js';

export interface Enode {
  /** 64-byte node id, hex without 0x. */
  id: string;
  host: string;
  /** TCP (RLPx) port. */
  port: number;
  /** UDP (discovery) port; the TCP port unless `?discport=` says otherwise. */
  udpPort: number;
}

/** Parses `enode://<128 hex>@host:port[?discport=N]` (devp2p enode URL scheme). */
export function parseEnode(url: string): Enode {
  const m = /^enode:\/\/([0-9a-fA-F]{128})@(\[[^\]]+\]|[^:/?]+):(\d{1,5})(?:\?discport=(\d{1,5}))?$/.exec(url.trim());
  if (!m) throw new Error(`not an enode URL: ${url}`);
  const host = m[2].replace(/^\[|\]$/g, '');
  if (!isIP(host)) throw new Error(`enode host must be an IP address: ${host}`);
  const port = Number(m[3]);
  const udpPort = m[4] === undefined ? port : Number(m[4]);
  if (port < 1 || port > 65535 || udpPort > 65535) throw new Error(`bad port in ${url}`);
  return { id: m[1].toLowerCase(), host, port, udpPort };
}

export function formatEnode(e: Enode): string {
  const host = isIP(e.host) === 6 ? `[${e.host}]` : e.host;
  return `enode://${e.id}@${host}:${e.port}${e.udpPort !== e.port ? `?discport=${e.udpPort}` : ''}`;
}

/** `host:port` as the engine spells addresses (IPv6 in brackets). */
export function enodeAddress(e: Pick<Enode, 'host' | 'port'>): string {
  return formatAddress(e.host, e.port);
}

/** The node ID as go-ethereum's enode.ID spells it (nodes.json keys): keccak256 of the 64-byte public key, hex. */
export function nodeIdHash(id: string): string {
  return hex(keccak256(fromHex(id)));
}
