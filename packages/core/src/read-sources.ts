import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as errors from './errors.js';
import { readSourceColumns, type SourceColumns } from './read-source-columns.js';
import type { Settings } from './settings.js';
import type { SourceInput } from './sources.js';

// From src/ (tests) and dist/ alike, the compiled worker lives in dist/.
const WORKER = new URL('../dist/read-worker.js', import.meta.url);

/** Rebuilds a typed error from the plain data a worker sent, keeping its class and location. */
function revive(data: Record<string, unknown>): Error {
  const Class = (errors as Record<string, unknown>)[data.name as string];
  const error: Error = typeof Class === 'function' ? Object.create((Class as { prototype: object }).prototype) : new Error();
  Object.assign(error, data);
  Object.defineProperty(error, 'message', { value: data.message, enumerable: false, writable: true });
  return error;
}

function readInWorker(input: SourceInput, settings: Settings): Promise<SourceColumns> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { input, settings } });
    worker.once('message', (message: { columns?: SourceColumns; error?: Record<string, unknown> }) => {
      if (message.error) reject(revive(message.error));
      else resolve(message.columns!);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * Reads every source, file sources in parallel worker threads (up to `threads`
 * at once) and in-memory sources on this thread. Results come back in input order.
 */
export async function readSources(inputs: readonly SourceInput[], settings: Settings, threads = availableParallelism()): Promise<SourceColumns[]> {
  const files = inputs.filter((input) => 'path' in input).length;
  const parallel = threads > 1 && files > 1;
  const results = new Array<SourceColumns>(inputs.length);
  let next = 0;
  const lane = async () => {
    while (next < inputs.length) {
      const i = next++;
      const input = inputs[i];
      results[i] = parallel && 'path' in input ? await readInWorker(input, settings) : await readSourceColumns(input, settings);
    }
  };
  await Promise.all(Array.from({ length: parallel ? Math.min(threads, inputs.length) : 1 }, lane));
  return results;
}
