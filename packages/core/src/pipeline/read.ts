import { buildRecordTable, type RecordTable } from '../read/record-table.js';
import type { SourceInput } from '../read/sources.js';
import type { Settings } from '../settings/settings.js';
import type { ProgressEvent } from './types.js';

/** What the read stage reads. */
export interface ReadInput {
  readonly sources: readonly SourceInput[];
  readonly settings: Settings;
  /** Threads that may read large CSV files in parallel. */
  readonly threads: number;
  /** Input bytes from which CSV files are read in parallel (LinkOptions.parallelBytes). */
  readonly parallelBytes: number | undefined;
  readonly progress: (event: ProgressEvent) => void;
}

/** The read stage: every source read, normalized and encoded into one record table. */
export async function readRecords(input: ReadInput): Promise<RecordTable> {
  const table = await buildRecordTable(input.sources, input.settings, input.threads, { parallelReadBytes: input.parallelBytes });
  input.progress({ stage: 'read', done: table.size, total: table.size });
  return table;
}
