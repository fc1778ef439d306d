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

  /** Resolves once the number is on disk; adds are written one after another, in call order. */
  add(value: bigint): Promise<void> {
    const next = this.chain.then(async () => {
      const numbers = [...this.list, value];
      await writeDurably(this.file, JSON.stringify({ version: 1, numbers: numbers.map(String) } satisfies StoreFile));
      this.list.push(value);
    });
    this.chain = next.catch(() => {});
    return next;
  }
}

async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  const dir = await fs.open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
