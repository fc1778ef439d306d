import { createHash, randomInt } from 'node:crypto';

/** p2pnetwork's generate_id: hex SHA-512 of host + str(port) + str(random.randint(1, 99999999)). */
export function defaultNodeId(host: string, port: number, random: number = randomInt(1, 100_000_000)): string {
  return createHash('sha512').update(`${host}${port}${random}`, 'ascii').digest('hex');
}

/** The shape of a default id; used to find where an id ends when a message is glued onto it. */
export const DEFAULT_ID_PATTERN = /^[0-9a-f]{128}/;
