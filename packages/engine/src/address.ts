import net from 'node:net';

/** `host:port`, with IPv6 hosts in brackets so the port stays unambiguous: the one form peerscope prints. */
export function formatAddress(host: string, port: number): string {
  // A colon means IPv6 (names and IPv4 have none): no regex on the path of every gossiped address.
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses `host:port`, `[v6]:port`, or a host alone (a name, IPv4, bare or bracketed IPv6) with
 * `defaultPort`. A bare IPv6 address never carries a port (`::1:8333` is itself an address): the port
 * needs brackets. Throws a one-line message.
 */
export function parseAddress(text: string, defaultPort?: number): HostPort {
  const s = text.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
    if (!net.isIPv6(host)) throw new Error(`"${text}" is not an address: ${host} is not an IPv6 address`);
  } else if (net.isIPv6(s)) {
    host = s;
  } else {
    const i = s.lastIndexOf(':');
    host = i >= 0 ? s.slice(0, i) : s;
    portText = i >= 0 ? s.slice(i + 1) : undefined;
    if (!/^[A-Za-z0-9.-]+$/.test(host)) throw new Error(`"${text}" is not an address: expected host:port`);
  }
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText)) throw new Error(`"${text}" is not an address: port must be a number`);
    port = Number(portText);
  }
  if (port === undefined) throw new Error(`"${text}" is not an address: a port is required (${net.isIPv6(host) ? '[v6]:port' : 'host:port'})`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${text}" is not an address: port ${port} is out of range 1-65535`);
  return { host, port };
}

export interface PeerAddress extends HostPort {
  /** The peer's identity when its address carries one (an Ethereum node id): opaque to the engine. */
  key?: string;
}

/**
 * `host:port`, or `key@host:port` for protocols that must know whom they dial before the first byte
 * (RLPx encrypts its first packet to the node's public key). Throws a one-line message.
 */
export function parsePeerAddress(text: string, defaultPort?: number): PeerAddress {
  const at = text.lastIndexOf('@');
  if (at < 0) return parseAddress(text, defaultPort);
  const key = text.slice(0, at);
  if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new Error(`"${text}" is not an address: bad key before "@"`);
  return { ...parseAddress(text.slice(at + 1), defaultPort), key };
}
