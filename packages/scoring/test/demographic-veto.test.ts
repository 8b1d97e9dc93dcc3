import { describe, expect, it } from 'vitest';
import { explainPair, matchProbability, scorePairs, type FellegiSunterModel } from '../src/model/index.js';
import type { Comparison, ComparisonLevel } from '../src/types.js';

const nullLevel: ComparisonLevel = { label: 'null', test: { type: 'null' } };
const exact: ComparisonLevel = { label: 'exact', test: { type: 'exact' } };
const otherwise: ComparisonLevel = { label: 'else', test: { type: 'else' } };
const demographic = (name: string): Comparison => ({ name, column: name, levels: [nullLevel, exact, otherwise], demographic: true });

// The case of the issue: a shared national id (+14.6 bits) and address (+13.2)
// against given name, birth date and sex all different, which EM weighed at
// only about -6 bits in all (m(sex disagrees | match) = 0.21 among them).
const model: FellegiSunterModel = {
  version: 1,
  comparisons: [
    demographic('given_name'),
    demographic('birth_date'),
    demographic('sex'),
    { name: 'national_id', column: 'national_id', levels: [nullLevel, exact, otherwise] },
    { name: 'street_address', column: 'street_address', levels: [nullLevel, exact, otherwise] },
  ],
  m: [
    [1, 0.9, 0.1],
    [1, 0.9, 0.1],
    [1, 0.79, 0.21],
    [1, 0.95, 0.05],
    [1, 0.9, 0.1],
  ],
  u: [
    [1, 0.01, 0.5],
    [1, 0.001, 0.4],
    [1, 0.5, 0.5],
    [1, 0.95 / 2 ** 14.6, 0.99],
    [1, 0.9 / 2 ** 13.2, 0.99],
  ],
  prior: 1e-4,
  training: { sessions: [], candidateLambda: 0.1 },
};

const score = (levels: number[]) =>
  scorePairs({ model, chunks: [{ left: Uint32Array.of(0), right: Uint32Array.of(1) }], vectors: [{ width: levels.length, levels: Uint8Array.from(levels) }] })[0][0];

describe('a demographic veto: disagreeing on every demographic outweighs an identifier agreement', () => {
  it('keeps a woman born in 1922 and a boy born in 2015 apart though they share an id and an address', () => {
    const weight = score([2, 2, 2, 1, 1]);
    expect(matchProbability(weight)).toBeLessThan(0.01);
    // Without the veto the id and the address would have linked them (p ~ 1).
    const without = scorePairs({
      model: { ...model, comparisons: model.comparisons.map(({ demographic: _, ...c }) => c) },
      chunks: [{ left: Uint32Array.of(0), right: Uint32Array.of(1) }],
      vectors: [{ width: 5, levels: Uint8Array.of(2, 2, 2, 1, 1) }],
    })[0][0];
    expect(matchProbability(without)).toBeGreaterThan(0.9);
  });

  it('drops only the agreements of the other comparisons: their disagreements still count', () => {
    expect(score([2, 2, 2, 1, 2])).toBeCloseTo(score([2, 2, 2, 0, 2]), 12);
    expect(score([2, 2, 2, 2, 2])).toBeLessThan(score([2, 2, 2, 1, 2]));
  });

  it('needs all three to disagree outright: a typo-level or missing demographic leaves the evidence as it was', () => {
    // Given name and birth date corrupted, sex missing: a duplicate found by its id (FEBRL has many).
    expect(matchProbability(score([2, 2, 0, 1, 1]))).toBeGreaterThan(0.9);
    // Sex agrees: mother and daughter are not vetoed, the weights decide.
    expect(matchProbability(score([2, 2, 1, 1, 1]))).toBeGreaterThan(0.9);
  });

  it('is shown in the explanation, which still sums to the score', () => {
    const explained = explainPair({ model, vector: Uint8Array.of(2, 2, 2, 1, 1), left: 0, right: 1 });
    expect(explained.demographicVeto).toBe(true);
    expect(explained.matchWeight).toBe(score([2, 2, 2, 1, 1]));
    const sum = explained.terms.reduce((s, t) => s + t.weight + t.tfAdjustment + t.groupAdjustment, explained.priorWeight);
    expect(sum).toBeCloseTo(explained.matchWeight, 12);
    expect(explained.terms.find((t) => t.comparison === 'national_id')?.groupAdjustment).toBeCloseTo(-14.6, 9);
  });
});
