#!/usr/bin/env node
// The peerscope CLI. The root package.json is the oclif root (commands, plugins, manifest).

// A live view paints its first frame once oclif and the command have loaded, a few hundred ms after
// start: on a terminal, say at once what is starting (oclif is imported below, after this line).
const [command, sub] = process.argv.slice(2);
const liveView = command === 'demo' || command === 'crawl' || (command === 'monitor' && sub !== undefined && !sub.startsWith('-'));
if (process.stdout.isTTY && liveView && !process.argv.slice(3).some((a) => /^(-h|--help|--json|--csv)$/.test(a))) {
  process.stdout.write(`peerscope ${command === 'demo' ? 'demo' : `${command} ${sub}`}: starting…\n`);
}

const { execute, settings } = await import('@oclif/core');

// Commands (ours and linked plugins') run as compiled JavaScript: no TypeScript transpiling on the fly.
settings.enableAutoTranspile = false;

// A closed stdout or stderr (`peerscope … --json | head -1`) ends every command quietly: the reader
// has what it wanted. Exit at once rather than close connections politely into a dead pipe.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

await execute({ dir: import.meta.url });
