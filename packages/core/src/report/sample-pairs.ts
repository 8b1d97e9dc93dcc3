// Pairs on either side of the threshold with their records' values, for a
// reader who asked to see them (--show-values): the pairs a clerk would review.
import { matchProbability } from '@mpi/scoring';
import type { LinkResult } from '../pipeline/types.js';
import type { SamplePair } from './report-data.js';

/** Pairs shown on each side of the threshold. */
export const PER_SIDE = 10;

interface Candidate {
  readonly weight: number;
  readonly chunk: number;
  readonly index: number;
}

/** Keeps the `size` candidates that sort first under `before`, in that order (insertion: size is small). */
function keepFirst(kept: Candidate[], candidate: Candidate, size: number, before: (a: Candidate, b: Candidate) => boolean): void {
  if (kept.length === size && !before(candidate, kept[size - 1])) return;
  let at = kept.length;
  while (at > 0 && before(candidate, kept[at - 1])) at--;
  kept.splice(at, 0, candidate);
  if (kept.length > size) kept.pop();
}

// Ties go to the earlier pair, so the sample does not depend on anything but the result.
const earlier = (a: Candidate, b: Candidate) => a.chunk < b.chunk || (a.chunk === b.chunk && a.index < b.index);

/** The links with the lowest weights and the non-links with the highest, with each record's normalized values. */
export function samplePairs(result: LinkResult): SamplePair[] {
  const above: Candidate[] = [];
  const below: Candidate[] = [];
  result.weights.forEach((chunk, c) => {
    for (let k = 0; k < chunk.length; k++) {
      const candidate = { weight: chunk[k], chunk: c, index: k };
      if (matchProbability(chunk[k]) >= result.threshold) {
        keepFirst(above, candidate, PER_SIDE, (a, b) => a.weight < b.weight || (a.weight === b.weight && earlier(a, b)));
      } else {
        keepFirst(below, candidate, PER_SIDE, (a, b) => a.weight > b.weight || (a.weight === b.weight && earlier(a, b)));
      }
    }
  });
  const { table } = result;
  const fields = [...table.fieldKinds.keys()];
  const recordOf = (row: number) => ({ source: table.sources[table.source[row]], recordId: table.recordIds[row] });
  const valueOf = (field: string, row: number) => {
    const column = table.columns[field];
    return column.dictionary[column.ids[row]] ?? '';
  };
  return [...above.reverse(), ...below].map(({ weight, chunk, index }) => {
    const left = result.pairs.chunks[chunk].left[index];
    const right = result.pairs.chunks[chunk].right[index];
    return {
      matchWeight: weight,
      matchProbability: matchProbability(weight),
      left: recordOf(left),
      right: recordOf(right),
      fields: fields.map((field) => ({ field, left: valueOf(field, left), right: valueOf(field, right) })),
    };
  });
}
