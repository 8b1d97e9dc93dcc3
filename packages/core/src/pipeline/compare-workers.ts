import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { MIN_PARALLEL_BYTES } from '../read/read-sources.js';
import type { SourceInput } from '../read/sources.js';

/** What an in-memory record is counted as when sizing the work (FEBRL and generated CSV rows average ~100 bytes). */
const BYTES_PER_MEMORY_RECORD = 100;

/**
 * The size of each source in bytes: a file's size, ~100 bytes per record of an
 * in-memory array, and undefined when it cannot be known before reading it (an
 * iterable that is not an array).
 */
export async function sourceBytes(sources: readonly SourceInput[]): Promise<(number | undefined)[]> {
  return Promise.all(
    sources.map(async (source) => {
      if ('records' in source) return Array.isArray(source.records) ? source.records.length * BYTES_PER_MEMORY_RECORD : undefined;
      try {
        return (await stat(source.path)).size;
      } catch {
        return 0; // Reading it reports the failure, naming the source.
      }
    }),
  );
}

/** The size of the input in bytes (see sourceBytes), Infinity when a source's size cannot be known before reading it. */
export async function inputBytes(sources: readonly SourceInput[]): Promise<number> {
  return (await sourceBytes(sources)).reduce<number>((a, b) => a + (b ?? Infinity), 0);
}

/**
 * The size of the input once read: the sizes known up front, and for each source
 * that had none (an iterable), ~100 bytes per record it gave, as for an array.
 * Sizing by "unknown, so large" started a worker per thread for an iterable of
 * 100 records: 64 of them with threads 64.
 */
export function readInputBytes(
  sources: readonly SourceInput[],
  sizes: readonly (number | undefined)[],
  table: { readonly sources: readonly string[]; readonly source: Uint16Array },
): number {
  const records = new Float64Array(table.sources.length);
  for (let r = 0; r < table.source.length; r++) records[table.source[r]]++;
  return sources.reduce((total, source, i) => {
    const index = table.sources.indexOf(source.name);
    return total + (sizes[i] ?? (index < 0 ? 0 : records[index] * BYTES_PER_MEMORY_RECORD));
  }, 0);
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
 * How many of `threads` comparison workers link() starts, never more than the
 * machine's cores (availableParallelism: more workers than cores only share
 * them, each with its own copy of the dictionaries). Below
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
  const cores = availableParallelism();
  if (bytes < Math.min(IN_THREAD_COMPARE_BYTES, parallelBytes)) return 0;
  if (bytes >= parallelBytes) return Math.min(threads, cores);
  return Math.min(threads, Math.max(1, cores - 1));
}
