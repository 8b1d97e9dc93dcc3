import { describe, expect, it } from 'vitest';
import { estimateInteractions } from '../src/model/index.js';
import type { Comparison } from '../src/types.js';

const levels = [
  { label: 'null', test: { type: 'null' } },
  { label: 'exact', test: { type: 'exact' } },
  { label: 'else', test: { type: 'else' } },
] as const;
const comparisons: Comparison[] = [
  { name: 'family_name', column: 'family_name', levels: [...levels] },
  { name: 'birth_date', column: 'birth_date', levels: [...levels], demographic: true },
  { name: 'given_name', column: 'given_name', levels: [...levels], demographic: true },
  { name: 'sex', column: 'sex', levels: [...levels], demographic: true },
];
const m = [
  [1, 0.9, 0.1],
  [1, 0.9, 0.1],
  [1, 0.97, 0.03],
  [1, 0.98, 0.02],
];
const u = [
  [1, 0.01, 0.99],
  [1, 0.001, 0.999],
  [1, 0.01, 0.99],
  [1, 0.5, 0.5],
];

/** Candidate patterns (family, birth date, given name, sex levels) with their pair counts. */
function patterns(rows: [number[], number][]) {
  return { width: 4, patterns: Uint8Array.from(rows.flatMap(([p]) => p)), counts: Float64Array.from(rows, ([, count]) => count) };
}

describe('estimateInteractions: the joint exact cell of two comparisons among different people', () => {
  // 1,000 matches in a space of 1M pairs; 100 candidate pairs exact on family name and birth date whose
  // given names disagree (relatives, and the few matches with a given name error), 700 that agree on all.
  const candidatePatterns = patterns([
    [[1, 1, 2, 1], 60],
    [[1, 1, 2, 2], 40],
    [[1, 1, 1, 1], 700],
    // Same birth date and sex, no family name: far more than independence predicts.
    [[0, 1, 2, 1], 2000],
  ]);
  const terms = estimateInteractions({
    comparisons,
    m,
    u,
    candidatePatterns,
    candidateCount: 2800,
    totalPairs: 1_000_000,
    prior: 0.001,
    cells: [
      [0, 1],
      [1, 3],
    ],
  });

  it('counts the cell where the other demographics disagree, less the matches the model expects there', () => {
    expect(terms.map((t) => t.comparisons.join())).toEqual(['family_name,birth_date']);
    const [term] = terms;
    // Matches expected with the given name disagreeing: 1,000 x 0.9 x 0.9 x 0.03.
    const nonMatches = 100 - 1000 * 0.9 * 0.9 * 0.03;
    // Independence: 999,000 non-matches x 0.01 x 0.001 x (1 - 0.01).
    const predicted = 999_000 * 0.01 * 0.001 * 0.99;
    expect(term.nonMatches).toBeCloseTo(nonMatches, 9);
    expect(term.predictedNonMatches).toBeCloseTo(predicted, 9);
    expect(term.weight).toBeCloseTo(-Math.log2(nonMatches / predicted), 9);
    // Sex has no agreeing level (u 0.5): it does not narrow the cell.
    expect(term.disagreeing).toEqual(['given_name']);
  });

  it('gives no term to a cell of an agreement that says little about who the person is (sex)', () => {
    expect(terms.some((t) => t.comparisons.includes('sex'))).toBe(false);
  });

  it('gives no term where the excess is within noise, and none that raises a weight', () => {
    const few = estimateInteractions({
      comparisons,
      m,
      u,
      candidatePatterns: patterns([
        [[1, 1, 2, 1], 40],
        [[1, 1, 1, 1], 700],
      ]),
      candidateCount: 740,
      totalPairs: 1_000_000,
      prior: 0.001,
      cells: [[0, 1]],
    });
    // 40 - 24.3 = 15.7 observed against 9.9 predicted: within 3 standard deviations.
    expect(few).toEqual([]);
  });
});
