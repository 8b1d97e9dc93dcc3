import { matchProbability } from '@mpi/scoring';
import { publishAll, stageFile, type AtomicFile } from './atomic-file.js';
import { CsvWriter, spreadsheetSafe } from './csv-output.js';
import type { LinkResult } from '../pipeline/link.js';

/** Options of writeGroupsCsv and writePairsCsv. */
export interface CsvOutputOptions {
  /**
   * For files meant to be opened in a spreadsheet: a source name or record id
   * starting with = + - @, tab or carriage return is written with a leading single
   * quote, so it is shown as text and never run as a formula. Off by default:
   * the default file keeps ids byte for byte for pipelines that join on them.
   * Computed numbers (match_weight, match_probability) are never prefixed.
   */
  readonly spreadsheetSafe?: boolean;
  /** Names the output in error messages (the CLI passes its option, e.g. "--out"). */
  readonly label?: string;
}

/** Options of writePairsCsv. */
export interface PairsCsvOptions extends CsvOutputOptions {
  /** Only pairs with a match probability at or above this (default: the link threshold; 0 writes every scored pair). */
  readonly minProbability?: number;
}

const asIs = (value: string) => value;

/** What groups.csv is written from: the records and their identity groups (a LinkResult, or the SQL engine's result). */
export type GroupsOfRecords = Pick<LinkResult, 'clustering' | 'identityIds'> & { readonly table: Pick<LinkResult['table'], 'size' | 'sources' | 'source' | 'recordIds'> };

/**
 * groups.csv: `source,record_id,identity_id`, one row per input record, in canonical
 * record order. Written atomically: a failed or interrupted write leaves the
 * previous file as it was (see atomic-file.ts).
 */
export async function writeGroupsCsv(result: GroupsOfRecords, path: string, options: CsvOutputOptions = {}): Promise<void> {
  publishAll([await stageGroupsCsv(result, path, options)]);
}

/** Writes groups.csv to a finished temporary file, for the caller to publish with the other outputs. */
export function stageGroupsCsv(result: GroupsOfRecords, path: string, options: CsvOutputOptions = {}): Promise<AtomicFile> {
  const { table, clustering, identityIds } = result;
  const text = options.spreadsheetSafe ? spreadsheetSafe : asIs;
  return stageFile(path, options.label ?? 'groups file', async (file) => {
    const out = new CsvWriter(file, ['source', 'record_id', 'identity_id']);
    for (let r = 0; r < table.size; r++) {
      out.row([text(table.sources[table.source[r]]), text(table.recordIds[r]), identityIds[clustering.groupOf[r]]]);
      if ((r & 1023) === 1023) await out.flushIfFull();
    }
    await out.flush();
  });
}

/**
 * pairs.csv: `source_l,record_id_l,source_r,record_id_r,match_weight,match_probability`
 * for the scored candidate pairs at or above the minimum probability (default: the
 * link threshold). The third argument is that probability, or options. Returns
 * the pairs written. Written atomically, as writeGroupsCsv.
 */
export async function writePairsCsv(result: LinkResult, path: string, minProbabilityOrOptions: number | PairsCsvOptions = {}): Promise<number> {
  const options = typeof minProbabilityOrOptions === 'number' ? { minProbability: minProbabilityOrOptions } : minProbabilityOrOptions;
  const staged = await stagePairsCsv(result, path, options);
  publishAll([staged.file]);
  return staged.written;
}

/** Writes pairs.csv to a finished temporary file, for the caller to publish with the other outputs. */
export function stagePairsCsv(result: LinkResult, path: string, options: PairsCsvOptions = {}): Promise<{ file: AtomicFile; written: number }> {
  const { pairs, weights } = result;
  const batches = pairs.chunks.map(({ left, right }, c) => ({ left, right, weight: weights[c] }));
  return stagePairBatches(result.table, batches, path, { ...options, minProbability: options.minProbability ?? result.threshold });
}

/** Scored pairs by row: left and right rows and the pair's match weight. */
export interface PairBatch {
  readonly left: ArrayLike<number>;
  readonly right: ArrayLike<number>;
  readonly weight: ArrayLike<number>;
}

/**
 * Writes pairs.csv from batches of scored pairs, in their order (the in-process
 * engine's chunks, or the SQL engine's pairs read in batches), keeping those at
 * or above `minProbability`, to a finished temporary file.
 */
export async function stagePairBatches(
  table: GroupsOfRecords['table'],
  batches: Iterable<PairBatch> | AsyncIterable<PairBatch>,
  path: string,
  options: PairsCsvOptions & { readonly minProbability: number },
): Promise<{ file: AtomicFile; written: number }> {
  const { minProbability } = options;
  const text = options.spreadsheetSafe ? spreadsheetSafe : asIs;
  let written = 0;
  const file = await stageFile(path, options.label ?? 'pairs file', async (target) => {
    const out = new CsvWriter(target, ['source_l', 'record_id_l', 'source_r', 'record_id_r', 'match_weight', 'match_probability']);
    for await (const { left, right, weight } of batches) {
      for (let k = 0; k < weight.length; k++) {
        const probability = matchProbability(weight[k]);
        if (probability < minProbability) continue;
        const l = left[k];
        const r = right[k];
        out.row([
          text(table.sources[table.source[l]]),
          text(table.recordIds[l]),
          text(table.sources[table.source[r]]),
          text(table.recordIds[r]),
          weight[k].toFixed(4),
          probability.toPrecision(6),
        ]);
        if ((++written & 1023) === 0) await out.flushIfFull();
      }
    }
    await out.flush();
  });
  return { file, written };
}
