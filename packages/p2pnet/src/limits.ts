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
