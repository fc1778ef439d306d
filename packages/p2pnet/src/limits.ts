/** Limits of the p2pnetwork wire, explicit so a hostile peer cannot make us hold more than this. */

/** End of a message on the EOT framing (p2pnetwork's only framing). */
export const EOT = 0x04;
/** Last byte of a compressed packet, before the EOT (p2pnetwork's COMPR_CHAR). */
export const COMPRESSED_MARK = 0x02;
/** The Python side reads the handshake with one recv(4096): a longer handshake is not p2pnetwork's. */
export const MAX_HANDSHAKE_BYTES = 4096;
/** Largest message we buffer (and largest we decompress to). p2pnetwork has no bound at all. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/** Length framing: a 4-byte big-endian length before each payload. */
export const LENGTH_PREFIX_BYTES = 4;
/**
 * How long an acceptor holds its first message after replying its id. A p2pnetwork dialer reads that
 * reply with one unframed recv, so a message sent right behind it can be glued onto the id; the pause
 * keeps the two in separate segments. It runs while the node decides whether to admit the connection.
 */
export const DEFAULT_HANDSHAKE_SETTLE_MS = 10;
/**
 * liblzma's decoder memory is mostly the dictionary its header names (up to 1.5 GiB in .xz): refuse
 * more than this. Python's lzma.compress at preset 9 needs 65 MiB, the default preset 6 needs 9 MiB.
 */
export const LZMA_DECODER_MEMLIMIT = 128 * 1024 * 1024;
/** Largest lzma expansion seen (64 MiB of zeros compress to 9.9 kB at preset 9), rounded up. */
export const LZMA_MAX_RATIO = 8_000;
/**
 * lzma input is decoded in slices of room-left / LZMA_MAX_RATIO bytes, within these bounds: the floor
 * keeps a hostile stream's overshoot past the cap to ~4 MB, the ceiling keeps a slice's output modest.
 */
export const LZMA_MIN_SLICE = 512;
export const LZMA_MAX_SLICE = 64 * 1024;

/**
 * A compressed packet may expand to MAX_EXPANSION_FLOOR bytes whatever its size, and beyond that to at
 * most MAX_EXPANSION_RATIO times its compressed size; more is refused as a bomb ('oversize') as soon as
 * decoding passes it. bzip2 decodes synchronously at ~75 MB/s, so an 86-byte packet that expands to
 * 15 MiB held the thread for 0.2 s: with the ratio, a packet costs decoding time in proportion to its
 * size on the wire. Real JSON compresses 5-20x; data this compressible (long runs of one byte) is the
 * bomb's signature. p2pnetwork has no bound at all.
 */
export const MAX_EXPANSION_FLOOR = 1024 * 1024;
export const MAX_EXPANSION_RATIO = 100;
/**
 * Compressed packets received but not yet decoded (they are decoded one at a time, in order): more than
 * this many bytes waiting, or this many packets, fails the connection as a flood.
 */
export const MAX_DECODE_BACKLOG_BYTES = 32 * 1024 * 1024;
export const MAX_DECODE_BACKLOG_PACKETS = 10_000;

/**
 * An accepted connection must finish the id exchange (one short text each way) within this long; the
 * engine's default (20 s) let silent sockets hold slots. Overridden by the node's `timeouts.handshakeMs`.
 */
export const DEFAULT_P2P_HANDSHAKE_MS = 5_000;
/** Accepted connections still in their handshake, at once: slots of their own, beside maxConnections. */
export const DEFAULT_MAX_PENDING_HANDSHAKES = 32;
/** Of those, from one address (a loopback mesh dialling one node at once stays well below). */
export const DEFAULT_MAX_PENDING_PER_ADDRESS = 16;
/** At maxConnections, an inbound connection idle this long gives its slot to a new one. */
export const DEFAULT_EVICT_IDLE_MS = 30_000;

/**
 * Slowloris: the engine's stall timer restarts at every byte, so a peer trickling one byte at a time
 * never stalls. A message still incomplete after SLOW_MESSAGE_GRACE_MS must be arriving at
 * MIN_MESSAGE_RATE bytes/s on average or better, or the connection fails ('timeout-stall'). A p2pnetwork
 * peer sends each message whole (sendall): only a hostile one trickles.
 */
export const DEFAULT_SLOW_MESSAGE_MS = 10_000;
export const MIN_MESSAGE_RATE = 1024;
