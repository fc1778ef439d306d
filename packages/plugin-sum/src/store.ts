import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

interface StoreFile {
  version: 1;
  numbers: string[];
}

/**
 * The numbers added on this node, in one JSON file. Every add rewrites it durably before it is
 * acknowledged: write a temp file, fsync it, rename it over the old one, fsync the directory. A crash at
 * any moment leaves either the old file or the new one, never a torn one.
 */
export class NumberStore {
  private chain: Promise<void> = Promise.resolve();

  private constructor(readonly file: string, private readonly list: bigint[]) {}

  static async open(file: string): Promise<NumberStore> {
    const abs = path.resolve(file);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    let numbers: bigint[] = [];
    try {
      const parsed = JSON.parse(await fs.readFile(abs, 'utf8')) as StoreFile;
      if (parsed?.version !== 1 || !Array.isArray(parsed.numbers)) throw new Error('unknown format');
      numbers = parsed.numbers.map((n) => BigInt(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${abs}: ${(err as Error).message}`);
    }
    return new NumberStore(abs, numbers);
  }

  get numbers(): readonly bigint[] {
    return this.list;
  }

  get count(): number {
    return this.list.length;
  }

  get subtotal(): bigint {
    return this.list.reduce((a, b) => a + b, 0n);
  }

  /**
   * Resolves once the number is on disk; adds are written one after another, in call order. Rejects
   * with a StoreError when it cannot be written (a full or read-only disk): the number is then not
   * added, and the file still holds every number acknowledged before.
   */
  add(value: bigint): Promise<void> {
    const next = this.chain.then(async () => {
      const numbers = [...this.list, value];
      try {
        await writeDurably(this.file, JSON.stringify({ version: 1, numbers: numbers.map(String) } satisfies StoreFile));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new StoreError(
          `cannot save ${value} to ${this.file}: ${e.code ? `${e.code} (${WHY[e.code] ?? e.message})` : e.message}; it was not added, the file still holds the ${this.list.length} number${this.list.length === 1 ? '' : 's'} added before`,
          e.code,
        );
      }
      this.list.push(value);
    });
    this.chain = next.catch(() => {});
    return next;
  }
}

/** A number that could not be written; `code` is the system's (ENOSPC, EROFS, EACCES, …). */
export class StoreError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'StoreError';
  }
}

const WHY: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EIO: 'an I/O error',
};

async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // A write that fails (a full disk) must not leave its partial temp file behind, taking more space.
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  const dir = await fs.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
