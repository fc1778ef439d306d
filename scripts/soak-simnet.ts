// The soak's Bitcoin simnet, in a process of its own so its memory is not counted as the monitor's:
// N regtest peers on 127.3.x.y, a fraction hostile (round-robin over the cheap kinds and a non-reader),
// a block mined every 30 s. Prints one JSON line {addresses} and runs until killed.
import { startBitcoinSimnet, type HostileBehaviour } from '@peerscope/simnet';

const peers = Number(process.argv[2] ?? 1000);
const hostileFraction = Number(process.argv[3] ?? 0.05);
const behaviours: HostileBehaviour[] = ['bad-magic', 'bad-checksum', 'garbage', 'malformed', 'stall', 'oversize', 'no-read-flood'];
const sim = await startBitcoinSimnet({ peers, baseHost: '127.3.0.1', hostileFraction, hostileBehaviours: behaviours });
process.stdout.write(`${JSON.stringify({ addresses: sim.addresses, hostile: sim.peers.filter((p) => p.hostile).length })}\n`);
setInterval(() => sim.mine(1), 30_000);
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
