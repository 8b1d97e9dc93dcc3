import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { MIN_PARALLEL_BYTES } from './read-sources.js';
import type { SourceInput } from './sources.js';

/** What an in-memory record is counted as when sizing the work (FEBRL and generated CSV rows average ~100 bytes). */
const BYTES_PER_MEMORY_RECORD = 100;

/**
 * The size of the input in bytes: file sizes, ~100 bytes per record of an
 * in-memory array, and Infinity when a source's size cannot be known before
 * reading it (an iterable that is not an array).
 */
export async function inputBytes(sources: readonly SourceInput[]): Promise<number> {
  const sizes = await Promise.all(
    sources.map(async (source) => {
      if ('records' in source) return Array.isArray(source.records) ? source.records.length * BYTES_PER_MEMORY_RECORD : Infinity;
      try {
        return (await stat(source.path)).size;
      } catch {
        return 0; // Reading it reports the failure, naming the source.
      }
    }),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Input bytes below which link() compares on its own thread, with no worker
 * (unless `parallelBytes` is lower still). Measured on 2 cores, alternating runs,
 * pipeline seconds with one worker against none: FEBRL4 (1.0 MB) 0.95 against
 * 0.85 (ten pairs of runs); generated 10k records (1.2 MB) 0.89 against 0.82;
 * 25k (3.0 MB) 1.47 against 1.45; 51k (6.1 MB) 2.24 against 2.27. A worker's
 * start-up and its own cold copy of the comparison code cost more than
 * overlapping the u sample with blocking saves, until about 3 MB.
 */
export const IN_THREAD_COMPARE_BYTES = 2 << 20;

/**
 * How many of `threads` comparison workers link() starts. Below
 * IN_THREAD_COMPARE_BYTES of input (or parallelBytes, if lower), none: the
 * calling thread compares. From `parallelBytes` (default MIN_PARALLEL_BYTES,
 * 48 MiB) all of them. Between the two, on a machine with no more cores than
 * threads, one core stays with the calling thread, which reads and blocks while
 * the workers start and draw the u sample: measured on 2 cores, two workers
 * beside it slowed reading and blocking as much as they sped up comparing
 * (FEBRL4 1.05 s against 0.91 s with one; 100k and 300k generated records the
 * same or slower: 3.97-4.15 s against 3.78-3.90 s, 9.6-10.4 s against
 * 9.3-9.5 s), while at 1M records (105 MB) two took the pipeline from 45.4 to 34.7 s.
 */
export function compareWorkers(threads: number, bytes: number, parallelBytes = MIN_PARALLEL_BYTES): number {
  if (bytes < Math.min(IN_THREAD_COMPARE_BYTES, parallelBytes)) return 0;
  if (bytes >= parallelBytes) return threads;
  return Math.min(threads, Math.max(1, availableParallelism() - 1));
}
