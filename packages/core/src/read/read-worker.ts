/**
 * Worker thread that reads and normalizes one file source or part of one, so
 * several sources (and parts of a large one) are read in parallel. Typed errors cross back as plain data and are revived.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { orderByHash } from './dictionary-merge.js';
import { readSourceColumns, type SourceColumns } from './source-columns.js';
import type { Settings } from '../settings/settings.js';
import type { ByteRange, SourceInput } from './source-input.js';

const { input, settings, range } = workerData as { input: SourceInput; settings: Settings; range?: ByteRange };
readSourceColumns(input, settings, range).then(
  (read) => {
    // Ordered here, in parallel, so the main thread merges the parts' dictionaries without hashing them into Maps (dictionary-merge.ts).
    const columns: SourceColumns = { ...read, fields: read.fields.map((f) => ({ ...f, ...orderByHash(f.dictionary, f.ids) })) };
    const transfer = [columns.rows.buffer, ...columns.fields.flatMap((f) => [f.ids.buffer, f.hashes!.buffer])] as ArrayBuffer[];
    parentPort!.postMessage({ columns }, transfer);
  },
  (error: unknown) => {
    const e = error as Error & Record<string, unknown>;
    parentPort!.postMessage({ error: { ...e, name: e.name, message: e.message } });
  },
);
