import { MpiError } from '../errors.js';
import { pairTruth, type TruthIndex } from '../report/truth-pairs.js';
import { readCsvRows } from './read-memberships.js';

/** Pairs held per chunk: the weights are read into typed arrays, never one object per pair. */
const CHUNK = 1 << 16;

/** The match weights of a pairs CSV (as `mpi link --pairs` writes it) and the truth of each pair, chunk by chunk. */
export async function readScoredPairs(path: string, truth: TruthIndex): Promise<{ weights: Float64Array[]; truth: Int8Array[]; lowestProbability: number }> {
  const weights: Float64Array[] = [];
  const known: Int8Array[] = [];
  let filled = CHUNK;
  let lowestProbability = Infinity;
  const columns = ['source_l', 'record_id_l', 'source_r', 'record_id_r', 'match_weight', 'match_probability'];
  await readCsvRows(path, columns, 'pairs', ([sourceL, recordL, sourceR, recordR, weightText, probabilityText], row) => {
    const weight = Number(weightText);
    const probability = Number(probabilityText);
    if (!Number.isFinite(weight) || !(probability >= 0 && probability <= 1)) {
      return new MpiError('MALFORMED_ROW', `pairs file ${path} has a match_weight or match_probability that is not a number at data row ${row}`);
    }
    if (filled === CHUNK) {
      weights.push(new Float64Array(CHUNK));
      known.push(new Int8Array(CHUNK));
      filled = 0;
    }
    weights[weights.length - 1][filled] = weight;
    known[known.length - 1][filled] = pairTruth(truth.personOf(sourceL, recordL), truth.personOf(sourceR, recordR));
    filled++;
    lowestProbability = Math.min(lowestProbability, probability);
    return undefined;
  });
  if (weights.length > 0) {
    weights[weights.length - 1] = weights[weights.length - 1].subarray(0, filled);
    known[known.length - 1] = known[known.length - 1].subarray(0, filled);
  }
  return { weights, truth: known, lowestProbability };
}
