// The CI fuzz run: a couple of seconds per target of corpus inputs mutated by fast-check (so a failure
// shrinks to a small input and prints its seed). The full run, a million inputs per target, is
// scripts/fuzz.ts; its figures are in docs/reliability.md.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCorpus, mutate, runOne, MUTATION_KINDS, type Mutation } from '../fuzz/harness.js';
import { TARGETS } from '../fuzz/targets.js';

const SECONDS_PER_TARGET = Number(process.env.PEERSCOPE_FUZZ_SECONDS ?? 2);
const HANG_MS = 2_000;

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.integer({ min: 0, max: MUTATION_KINDS - 1 }),
  at: fc.nat(),
  value: fc.nat(),
  len: fc.nat({ max: 255 }),
});

describe('fuzzing (CI run)', () => {
  for (const target of TARGETS) {
    it(`${target.name}: every corpus input decodes or is refused with a typed error`, async () => {
      const corpus = loadCorpus(target.name);
      expect(corpus.length).toBeGreaterThan(0);
      for (const { file, bytes } of corpus) {
        const r = await runOne(target, target.fixup ? target.fixup(bytes) : bytes, HANG_MS);
        expect(r.problem, `${target.name}/${file}`).toBeUndefined();
      }
    });

    it(`${target.name}: mutated inputs give only typed errors, no hang, no broken limit (${SECONDS_PER_TARGET} s)`, async () => {
      const corpus = loadCorpus(target.name).map((c) => c.bytes);
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat(corpus.length - 1), fc.nat(corpus.length - 1), fc.array(mutation, { minLength: 1, maxLength: 6 }), async (i, j, mutations) => {
          runs++;
          let input = mutate(corpus[i], mutations, corpus[j], target.maxInput ?? 65_536);
          if (target.fixup) input = target.fixup(input);
          const r = await runOne(target, input, HANG_MS);
          if (r.problem !== undefined) throw new Error(`${r.problem}; input ${Buffer.from(input).toString('hex')}`);
        }),
        { numRuns: 10_000_000, interruptAfterTimeLimit: SECONDS_PER_TARGET * 1000 },
      );
      expect(runs).toBeGreaterThan(50);
    }, SECONDS_PER_TARGET * 1000 + 20_000);
  }
});
