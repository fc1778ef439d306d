#!/usr/bin/env node
// The peerscope CLI. The root package.json is the oclif root (commands, plugins, manifest).
import { execute, settings } from '@oclif/core';

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
