import { formatAddress } from '@peerscope/engine';
import type { NodeEvent } from '@peerscope/p2pnet';

function who(n: { host: string; port: number; id: string }): string {
  return `${formatAddress(n.host, n.port)} (${n.id.length > 16 ? `${n.id.slice(0, 16)}…` : n.id})`;
}

/** One line per p2pnetwork node event, as `node start` prints it. */
export function nodeEventText(e: NodeEvent): string {
  switch (e.type) {
    case 'outbound-node-connected': return `connected to ${who(e.node)}`;
    case 'inbound-node-connected': return `connected from ${who(e.node)}`;
    case 'outbound-node-disconnected':
    case 'inbound-node-disconnected': return `disconnected ${who(e.node)}: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`;
    case 'node-message': return `message from ${who(e.node)}: ${e.data instanceof Uint8Array ? `<${e.data.length} bytes>` : JSON.stringify(e.data)}`;
    case 'node-disconnect-with-outbound-node': return `disconnecting from ${who(e.node)}`;
    case 'node-request-to-stop': return 'stopping';
    case 'connect-failed': return `cannot connect to ${formatAddress(e.host, e.port)}: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`;
    case 'reconnecting': return `reconnecting to ${formatAddress(e.host, e.port)} in ${e.delayMs} ms (attempt ${e.attempt})`;
    case 'inbound-refused': return `refused ${formatAddress(e.host, e.port)}: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`;
    case 'message-error': return `undecodable message from ${who(e.node)}: ${e.error}`;
    case 'error': return `error in ${e.hook}${e.node ? ` (${who(e.node)})` : ''}: ${e.message}`;
  }
}

/** A node event as a JSON object: `event` names it, the connection as its toJSON, bytes as hex. */
export function nodeEventJson(e: NodeEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { event: e.type };
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type') continue;
    if (k === 'node') out.node = (v as { toJSON(): unknown } | undefined)?.toJSON();
    else if (k === 'error') continue; // an Error serialises to {}; `message` carries it
    else if (v instanceof Uint8Array) out[k] = { bytes: Buffer.from(v).toString('hex') };
    else out[k] = v;
  }
  return out;
}
