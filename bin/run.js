#!/usr/bin/env node
// The peerscope CLI. The root package.json is the oclif root (commands, plugins, manifest).
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
