/**
 * The scoring stage alone (ComparisonPool.compare, then .score), run in its own
 * process by the harness: one link() gives the table, the candidate pairs and the
 * trained model, then fresh pools of each thread count compare and score those
 * same pairs, alternating in rounds (1, 2, 1, 2, ...). Pipeline runs are minutes
 * apart, and on this host the speed of one thread drifts by up to 2x between
 * them; alternating runs of seconds on identical inputs give the thread
 * speed-up a fairer pairing. Prints one JSON line.
 */
import { readFile } from 'node:fs/promises';
import { link, validateSettings } from '@mpi/core';
import { termFrequencyInputs } from '@mpi/core/advanced';
import { ComparisonPool, type ComparisonVectors } from '@mpi/scoring';

export interface ScoringStageSpec {
  readonly name: string;
  readonly settings: string;
  readonly sources: readonly { readonly name: string; readonly path: string }[];
  readonly threads: readonly number[];
  readonly rounds: number;
}

export interface ScoringStageRun {
  readonly round: number;
  readonly threads: number;
  readonly compareSeconds: number;
  readonly scoreSeconds: number;
}

export interface ScoringStageResult {
  readonly name: string;
  readonly records: number;
  readonly candidatePairs: number;
  readonly comparisons: number;
  readonly runs: readonly ScoringStageRun[];
}

/**
 * Time a pool's workers get between receiving the table and their first task.
 * In link() they get the blocking stage (5-8 s at 1M records) to clone the
 * dictionaries and compile their vectorizer; a bench that timed that start-up
 * would measure something the pipeline does not wait for.
 */
const WORKER_START_MS = 3000;

/** FNV-style hash of every byte of the results, so runs that differ are caught. */
function hashResults(vectors: readonly ComparisonVectors[], weights: readonly Float64Array[]): number {
  let h = 0x811c9dc5;
  for (const { levels } of vectors) for (let i = 0; i < levels.length; i++) h = Math.imul(h ^ levels[i], 0x01000193);
  for (const w of weights) {
    const bytes = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  return h >>> 0;
}

async function runScoringStage(spec: ScoringStageSpec): Promise<ScoringStageResult> {
  const settings = validateSettings(JSON.parse(await readFile(spec.settings, 'utf8')));
  const result = await link({ settings, sources: spec.sources, threads: Math.max(...spec.threads) });
  const { table, model } = result;
  const chunks = result.pairs.chunks;
  const tf = termFrequencyInputs(table, model.comparisons);
  const runs: ScoringStageRun[] = [];
  let expected: number | undefined;
  for (let round = 1; round <= spec.rounds; round++) {
    for (const threads of spec.threads) {
      const pool = new ComparisonPool({ threads });
      try {
        pool.load(table, model.comparisons);
        await new Promise((resolve) => setTimeout(resolve, WORKER_START_MS));
        // The last run's garbage is collected now, not inside this run's timing.
        (globalThis as { gc?: () => void }).gc?.();
        const started = performance.now();
        const vectors = await pool.compare(chunks);
        const compared = performance.now();
        const weights = await pool.score({ model, chunks, vectors, tf });
        const scored = performance.now();
        const hash = hashResults(vectors, weights);
        expected ??= hash;
        if (hash !== expected) throw new Error(`${threads} thread(s), round ${round}: vectors or weights differ from the first run's`);
        runs.push({ round, threads, compareSeconds: (compared - started) / 1000, scoreSeconds: (scored - compared) / 1000 });
      } finally {
        await pool.close();
      }
      process.stderr.write(`bench: scoring stage, round ${round} of ${spec.rounds}, ${threads} thread(s) done\n`);
    }
  }
  return { name: spec.name, records: table.size, candidatePairs: result.pairs.count, comparisons: model.comparisons.length, runs };
}

const spec = JSON.parse(process.argv[2]) as ScoringStageSpec;
runScoringStage(spec).then(
  (result) => process.stdout.write(JSON.stringify(result) + '\n'),
  (error: unknown) => {
    process.stderr.write(`bench scoring stage ${spec.name} failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
