import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { LoadedProtocol } from './protocol.js';

const loaded = new Map<string, Promise<LoadedProtocol>>();

/** Imports a protocol module once per thread; its default export must be a Protocol. */
export function loadProtocol(specifier: string): Promise<LoadedProtocol> {
  let p = loaded.get(specifier);
  if (!p) {
    p = importModule(specifier).then((mod: { default?: LoadedProtocol }) => {
      const protocol = mod.default;
      if (!protocol || typeof protocol.createCodec !== 'function' || !protocol.handshake || !protocol.ready) {
        throw new Error(`${specifier} does not export a Protocol as default`);
      }
      return protocol;
    });
    loaded.set(specifier, p);
  }
  return p;
}

async function importModule(specifier: string): Promise<{ default?: LoadedProtocol }> {
  try {
    return await import(specifier);
  } catch (err) {
    // Running from TypeScript sources: Node 20 runs no ESM loader hooks (tsx) in worker threads, but
    // tsx's require hook works there, so a .ts protocol module is loaded through require instead.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const require = createRequire(import.meta.url);
    const path = specifier.startsWith('file:') ? fileURLToPath(specifier) : specifier;
    return require(path) as { default?: LoadedProtocol };
  }
}
