export { Discv4, type Discv4Options, type DiscoveredNode, type LookupOptions, type NodeQuery } from './discovery.js';
export { encodePacket, decodePacket, MAX_PACKET_SIZE, type Discv4Packet, type DecodedPacket, type Endpoint, type NeighbourNode } from './packet.js';
export { keepDiscovering, type KeepDiscoveringOptions, type Discovering } from './keep-discovering.js';
