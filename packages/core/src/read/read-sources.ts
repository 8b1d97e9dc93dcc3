import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as errors from '../errors.js';
import { readSourceColumns, type SharedReads, type SourceColumns } from './source-columns.js';
import type { Settings } from '../settings/settings.js';
import { csvCuts, sourceFormat, type ByteRange, type SourceInput } from './sources.js';

// From src/read/ (tests) and dist/read/ alike, the compiled worker lives in dist/.
const WORKER = new URL('../../dist/read/read-worker.js', import.meta.url);

/** Rebuilds a typed error from the plain data a worker sent, keeping its class and location. */
function revive(data: Record<string, unknown>): Error {
  const Class = (errors as Record<string, unknown>)[data.name as string];
  const error: Error = typeof Class === 'function' ? Object.create((Class as { prototype: object }).prototype) : new Error();
  Object.assign(error, data);
  Object.defineProperty(error, 'message', { value: data.message, enumerable: false, writable: true });
  return error;
}

/** Reads and normalizes a source (or a byte range of a CSV source) in a worker thread: readSourceColumns there. */
export function readInWorker(input: SourceInput, settings: Settings, range?: ByteRange): Promise<SourceColumns> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { input, settings, range } });
    worker.once('message', (message: { columns?: SourceColumns; error?: Record<string, unknown> }) => {
      if (message.error) reject(revive(message.error));
      else resolve(message.columns!);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** Below this a CSV file is not worth splitting: a part costs a worker start and a dictionary merge. */
const MIN_PART_BYTES = 4 << 20;
/**
 * Total CSV bytes from which reading in worker threads pays for their start-up,
 * their cold code and the serial dictionary merge. Measured on 2 cores with the
 * generated population: 10 MB (100k records) read alone in ~2.1 s on one thread
 * and ~2.4 s in workers (in the pipeline, where the comparison workers start at
 * the same time, 1.9 s against 3.2 s); 105 MB (1M records) 17.0 s against 15.1 s.
 * A line through the pipeline figures (parallel ~ 0.79 x serial + 1.7 s) breaks
 * even near 50 MB.
 */
export const MIN_PARALLEL_BYTES = 48 << 20;
const MAX_PARTS = 16;

interface ReadTask {
  readonly source: number;
  readonly part: number;
  readonly range?: ByteRange;
  readonly bytes: number;
}

async function csvFileSize(input: SourceInput): Promise<number> {
  if (!('path' in input)) return 0;
  if ((await sourceFormat(input)) !== 'csv') return 0;
  try {
    const info = await stat(input.path);
    return info.isFile() ? info.size : 0;
  } catch {
    return 0; // Reading it reports the failure, naming the source.
  }
}

/**
 * Cuts large CSV files into parts of whole rows so every thread has work even
 * when one source dominates. Returns the byte ranges per source (none: read whole).
 */
async function planParts(inputs: readonly SourceInput[], sizes: readonly number[], threads: number): Promise<(ByteRange[] | undefined)[]> {
  const target = Math.max(MIN_PART_BYTES, sizes.reduce((a, b) => a + b, 0) / (threads * 2));
  return Promise.all(
    inputs.map(async (input, i) => {
      const parts = Math.min(MAX_PARTS, Math.round(sizes[i] / target));
      if (parts < 2 || !('path' in input)) return undefined;
      const { headerEnd, cuts } = await csvCuts(input.path, parts);
      if (cuts.length === 0) return undefined;
      const bounds = [0, ...cuts, sizes[i]];
      return bounds.slice(1).map((end, k) => ({ headerEnd, start: bounds[k], end }));
    }),
  );
}

/** Numbers a later part's rows (its flags' and serial-date candidates' too) after the rows of the parts before it. */
export function shiftRows(part: SourceColumns, offset: number): SourceColumns {
  if (offset === 0) return part;
  const rows = part.rows;
  for (let r = 0; r < rows.length; r++) rows[r] += offset;
  const serialDates = part.serialDates.map((noted) => ({ ...noted, rows: noted.rows.map((row) => row + offset) }));
  return { ...part, rows, flags: part.flags.map((flag) => ({ ...flag, row: flag.row + offset })), serialDates };
}

/**
 * Reads every source, file sources in parallel worker threads (up to `threads`
 * at once, largest first; a large CSV file is read as several parts of whole
 * rows) and in-memory sources on this thread. Returns, in input order, each
 * source's parts in file order, each part sorted by record id, with rows
 * numbered within the source. A record id repeated across parts is not detected
 * here (each part checks its own); the merge does it. If any part of a split
 * source fails, the source is read again whole, so errors and their rows are
 * exactly those of an unsplit read.
 */
export async function readSourceParts(
  inputs: readonly SourceInput[],
  settings: Settings,
  threads = availableParallelism(),
  minParallelBytes = MIN_PARALLEL_BYTES,
  shared?: SharedReads,
): Promise<SourceColumns[][]> {
  const sizes = await Promise.all(inputs.map(csvFileSize));
  const files = inputs.filter((input) => 'path' in input).length;
  const ranges = threads > 1 ? await planParts(inputs, sizes, threads) : inputs.map(() => undefined);
  // Below minParallelBytes one thread is faster than workers (see MIN_PARALLEL_BYTES).
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const parallel = threads > 1 && totalBytes >= minParallelBytes && (files > 1 || ranges.some((r) => r !== undefined));
  const tasks: ReadTask[] = [];
  ranges.forEach((parts, source) => {
    if (parts === undefined) tasks.push({ source, part: 0, bytes: sizes[source] });
    else parts.forEach((range, part) => tasks.push({ source, part, range, bytes: range.end - range.start }));
  });
  // Longest first balances the lanes; in-memory sources (0 bytes) keep their order at the end.
  if (parallel) tasks.sort((a, b) => b.bytes - a.bytes);
  const results: (SourceColumns | Error)[][] = inputs.map((_, i) => new Array(ranges[i]?.length ?? 1));
  const read = (input: SourceInput, range?: ByteRange) =>
    parallel && 'path' in input ? readInWorker(input, settings, range) : readSourceColumns(input, settings, range, shared);
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const { source, part, range } = tasks[next++];
      if (range === undefined) results[source][part] = await read(inputs[source]);
      else results[source][part] = await read(inputs[source], range).catch((error: Error) => error);
    }
  };
  await Promise.all(Array.from({ length: parallel ? Math.min(threads, tasks.length) : 1 }, lane));
  return Promise.all(
    results.map(async (parts, source) => {
      if (parts.some((part) => part instanceof Error)) return [await read(inputs[source])];
      let offset = 0;
      return (parts as SourceColumns[]).map((part) => {
        const shifted = shiftRows(part, offset);
        offset += part.recordIds.length;
        return shifted;
      });
    }),
  );
}
