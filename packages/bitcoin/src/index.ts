import type { ProtocolChoice } from '@peerscope/engine';
import { bitcoinConfig, type BitcoinConfig } from './protocol/config.js';
import { getNetwork } from './wire/networks.js';

export * from './wire/index.js';
export { bitcoinConfig, PROTOCOL_VERSION, PEERSCOPE_VERSION, type BitcoinConfig } from './protocol/config.js';
export { BestHeight, BlockHeights } from './protocol/best-height.js';

/** The protocol module workers import (the .ts source when running from sources, else the build). */
export const bitcoinProtocolModule = new URL(import.meta.url.endsWith('.ts') ? './protocol/index.ts' : './protocol/index.js', import.meta.url).href;

/** Everything a Monitor needs to speak Bitcoin on a network: `createMonitor({ ...bitcoin({ network: 'regtest' }), seeds, target })`. */
export function bitcoin(options: Partial<Omit<BitcoinConfig, 'magic'>> = {}): ProtocolChoice & { config: BitcoinConfig } {
  const config = bitcoinConfig(options);
  const network = getNetwork(config.network);
  return { protocol: bitcoinProtocolModule, config, defaultPort: network.port, dnsSeeds: [...network.seeds] };
}
