// What a protocol author uses (`@peerscope/engine/protocol`): the contract a protocol fulfils and the
// pieces the engine hands it. An embedding program needs none of this.
export type { Decoded, Direction, PeerLink, Protocol, ProtocolActorEvent, ProtocolActorInput, ProtocolActorLogic, PeerCommandEvent, LoadedProtocol, WireCodec } from './protocol.js';
export { ProtocolError, defineProtocol, erase } from './protocol.js';
export type { PeerEventBody, PeerInfo, FailureReason, EngineFailure, CommonProtocolFailure } from './events.js';
export { ENGINE_FAILURES, COMMON_PROTOCOL_FAILURES } from './events.js';
export { runPeer, type PeerRun, type RunPeerOptions } from './run-peer.js';
export { DEFAULT_TIMEOUTS, type PeerTimeouts } from './peer-machine.js';
