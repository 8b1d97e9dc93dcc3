import { matchProbability } from '@mpi/scoring';
import { CsvWriter } from './csv-output.js';
import type { LinkResult } from './link.js';

/** groups.csv: `source,record_id,identity_id`, one row per input record, in canonical record order. */
export async function writeGroupsCsv(result: LinkResult, path: string): Promise<void> {
  const { table, clustering, identityIds } = result;
  const out = new CsvWriter(path, ['source', 'record_id', 'identity_id']);
  for (let r = 0; r < table.size; r++) {
    out.row([table.sources[table.source[r]], table.recordIds[r], identityIds[clustering.groupOf[r]]]);
    if ((r & 1023) === 1023) await out.flushIfFull();
  }
  await out.close();
}

/**
 * pairs.csv: `source_l,record_id_l,source_r,record_id_r,match_weight,match_probability`
 * for the scored candidate pairs at or above `minProbability` (default: the link threshold).
 */
export async function writePairsCsv(result: LinkResult, path: string, minProbability = result.threshold): Promise<number> {
  const { table, pairs, weights } = result;
  const out = new CsvWriter(path, ['source_l', 'record_id_l', 'source_r', 'record_id_r', 'match_weight', 'match_probability']);
  let written = 0;
  for (let c = 0; c < pairs.chunks.length; c++) {
    const { left, right } = pairs.chunks[c];
    const weight = weights[c];
    for (let k = 0; k < weight.length; k++) {
      const probability = matchProbability(weight[k]);
      if (probability < minProbability) continue;
      const l = left[k];
      const r = right[k];
      out.row([
        table.sources[table.source[l]],
        table.recordIds[l],
        table.sources[table.source[r]],
        table.recordIds[r],
        weight[k].toFixed(4),
        probability.toPrecision(6),
      ]);
      if ((++written & 1023) === 0) await out.flushIfFull();
    }
  }
  await out.close();
  return written;
}
