// The Bitcoin wire codec: framing, payload codecs, networks, limits and the helpers around them.
export { BitcoinCodec, type BitcoinCodecOptions } from './codec.js';
export { FrameDecoder, type Frame } from './frame-decoder.js';
export {
  decodePayload, encodePayload, isMessage, isKnownCommand, KNOWN_COMMANDS,
  type BitcoinMessage, type KnownMessage, type KnownCommand, type MessageOf, type RawMessage,
} from './message.js';
export * from './limits.js';
export {
  NETWORKS, MAINNET, TESTNET3, TESTNET4, SIGNET, REGTEST, getNetwork, networkByMagic,
  type BitcoinNetwork, type NetworkName,
} from './networks.js';
export { Services, serviceNames, type ServiceName } from './services.js';
export { InvType, invTypeName } from './inventory.js';
export { doubleSha256, hashToHex, hashFromHex } from './hash.js';
export {
  ipToString, ipToBytes, type NetAddress, type TimedNetAddress,
} from './address.js';
export { blockHash, writeBlockHeader, BLOCK_HEADER_SIZE, type BlockHeader } from './block-header.js';
export type { InvItem } from './messages/inventory-list.js';
export type { VersionMessage } from './messages/version.js';
export type { VerackMessage } from './messages/verack.js';
export type { PingMessage } from './messages/ping.js';
export type { PongMessage } from './messages/pong.js';
export type { GetAddrMessage } from './messages/getaddr.js';
export type { AddrMessage } from './messages/addr.js';
export type { AddrV2Message, AddrV2Entry, AddrV2Network } from './messages/addrv2.js';
export { scanGossip, gossipHost, type GossipVisitor } from './messages/gossip-scan.js';
export type { SendAddrV2Message } from './messages/sendaddrv2.js';
export type { InvMessage } from './messages/inv.js';
export type { GetDataMessage } from './messages/getdata.js';
export type { NotFoundMessage } from './messages/notfound.js';
export type { GetHeadersMessage } from './messages/getheaders.js';
export type { HeadersMessage } from './messages/headers.js';
export type { SendHeadersMessage } from './messages/sendheaders.js';
export type { SendCmpctMessage } from './messages/sendcmpct.js';
export type { FeeFilterMessage } from './messages/feefilter.js';
export type { WtxidRelayMessage } from './messages/wtxidrelay.js';
export { RejectCode, type RejectMessage } from './messages/reject.js';
