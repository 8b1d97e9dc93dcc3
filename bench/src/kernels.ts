import { readFile } from 'node:fs/promises';
import { Bench } from 'tinybench';
import { generatePairs } from '@mpi/blocking';
import { buildRecordTable, validateSettings } from '@mpi/core';
import { defaultBlockingRules, defaultComparisons } from '@mpi/core/advanced';
import { compileVectorizer, vectorizePairs } from '@mpi/scoring';

export interface KernelResult {
  readonly name: string;
  readonly pairs: number;
  readonly comparisons: number;
  readonly pairsPerSecond: number;
  readonly samples: number;
}

/**
 * Comparison-kernel throughput alone, on one thread: the default comparisons over
 * FEBRL3's real candidate pairs, through vectorizePairs as a comparison worker runs
 * them. The vectorizer is compiled afresh for every run so its memo starts empty,
 * as it does in a worker.
 */
export async function runKernelBench(dataset: string, settingsPath: string): Promise<KernelResult[]> {
  const settings = validateSettings(JSON.parse(await readFile(settingsPath, 'utf8')));
  const table = await buildRecordTable([{ name: 'febrl3', path: dataset }], settings);
  const comparisons = defaultComparisons(table.fieldKinds);
  const pairs = generatePairs(table, defaultBlockingRules(new Set(Object.keys(table.columns))), { mode: 'dedupe' });
  const { left, right } = pairs.chunks[0];
  const count = Math.min(left.length, 50_000);
  const bench = new Bench({ time: 2000, warmupTime: 300 });
  bench.add('vectorize FEBRL3 candidate pairs (default comparisons)', () => {
    vectorizePairs(compileVectorizer(table, comparisons), left, right, 0, count);
  });
  await bench.run();
  return bench.tasks.map((task) => {
    const meanMs = task.result!.latency.mean;
    return { name: task.name, pairs: count, comparisons: comparisons.length, pairsPerSecond: (count / meanMs) * 1000, samples: task.result!.latency.samples.length };
  });
}
