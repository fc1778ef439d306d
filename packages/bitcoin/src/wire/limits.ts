/**
 * Limits of the Bitcoin wire codec, next to it so they can be audited in one place.
 * Values follow Bitcoin Core (net.h, net_processing.cpp, protocol.h).
 *
 * Exceeding an entry limit is reported as 'malformed', not 'oversize': the payload fits in the frame
 * limit and was fully read; it is its content that no honest peer sends ('oversize' is kept for
 * the frame length, which is detected from the header alone).
 */

/** Largest payload accepted in one frame (Core: MAX_PROTOCOL_MESSAGE_LENGTH). Checked from the header. */
export const MAX_PAYLOAD = 4_000_000;
/** Entries in one addr / addrv2 message (Core: MAX_ADDR_TO_SEND). */
export const MAX_ADDR = 1_000;
/** Entries in one inv / getdata / notfound message (Core: MAX_INV_SZ). */
export const MAX_INV = 50_000;
/** Headers in one headers message (Core: MAX_HEADERS_RESULTS). */
export const MAX_HEADERS = 2_000;
/** Bytes of the version message's user agent (Core: MAX_SUBVERSION_LENGTH). */
export const MAX_USER_AGENT = 256;
/** Hashes in a getheaders / getblocks locator (Core: MAX_LOCATOR_SZ). */
export const MAX_LOCATOR = 101;
/** Bytes of one BIP155 address (BIP155: "MAX_ADDRV2_SIZE"). */
export const MAX_ADDRV2_SIZE = 512;
/** Bytes of reject's message field: a command name (Core reads it as LIMITED_STRING(COMMAND_SIZE)). */
export const MAX_REJECT_COMMAND = 12;
/** Bytes of reject's reason (Core: MAX_REJECT_MESSAGE_LENGTH). */
export const MAX_REJECT_REASON = 111;
/** Size of the frame header: magic, command, length, checksum. */
export const HEADER_SIZE = 24;
/** Bytes of the NUL-padded command name. */
export const COMMAND_SIZE = 12;
