import { describe, expect, it } from 'vitest';
import {
  explainPair,
  formatModelReport,
  householdAloneU,
  identifyingComparisons,
  parseModel,
  serializeModel,
  scorePairs,
  trainModel,
  type FellegiSunterModel,
} from '../src/model/index.js';
import type { Comparison, ComparisonLevel, PatternCounts } from '../src/types.js';

const nullLevel: ComparisonLevel = { label: 'null', test: { type: 'null' } };
const exact: ComparisonLevel = { label: 'exact', test: { type: 'exact' } };
const exactTf: ComparisonLevel = { label: 'exact', test: { type: 'exact' }, tfAdjustment: true };
const otherwise: ComparisonLevel = { label: 'else', test: { type: 'else' } };
const twoLevels = (name: string, group?: string): Comparison => ({ name, column: name, levels: [nullLevel, exact, otherwise], ...(group ? { evidenceGroup: group } : {}) });

describe('u of household evidence without the matches', () => {
  it('takes the matches\' share out of what random pairs measured: (u - prior x m) / (1 - prior)', () => {
    // An exact phone: random pairs agree 6.4e-4 of the time, of which 3e-4 x 0.98 are the same person.
    const [, agree, disagree] = householdAloneU(twoLevels('phone'), [1, 6.4e-4, 1 - 6.4e-4], [1, 0.98, 0.02], 3e-4, 1e-7);
    expect(agree).toBeCloseTo((6.4e-4 - 3e-4 * 0.98) / (1 - 3e-4), 12);
    expect(disagree).toBeCloseTo(1 - 6.4e-4, 3);
  });

  it('never goes below half a sampled pair, nor above what was measured', () => {
    const row = householdAloneU(twoLevels('phone'), [1, 1e-4, 0.9999], [1, 0.99, 0.01], 3e-4, 2.5e-6);
    expect(row[1]).toBe(2.5e-6);
    expect(row[2]).toBeLessThanOrEqual(0.9999);
  });

  it('leaves a term-frequency adjusted level alone: the value\'s frequency replaces its u', () => {
    const postcode: Comparison = { name: 'postcode', column: 'postcode', levels: [nullLevel, exactTf, otherwise] };
    expect(householdAloneU(postcode, [1, 1.2e-3, 0.9988], [1, 0.8, 0.2], 3e-4, 1e-7)[1]).toBe(1.2e-3);
  });
});

// Given name and birth date say who the person is; sex does not (half of all pairs share it); the phone is household evidence.
const model: FellegiSunterModel = {
  version: 2,
  comparisons: [twoLevels('given_name'), twoLevels('birth_date'), twoLevels('sex'), twoLevels('phone', 'household'), twoLevels('street', 'household')],
  m: [
    [1, 0.9, 0.1],
    [1, 0.95, 0.05],
    [1, 0.98, 0.02],
    [1, 0.98, 0.02],
    [1, 0.8, 0.2],
  ],
  u: [
    [1, 0.004, 0.996],
    [1, 3.6e-4, 0.99964],
    [1, 0.5, 0.5],
    [1, 6.4e-4, 0.99936],
    [1, 1.1e-3, 0.9989],
  ],
  prior: 3e-4,
  householdAloneU: [null, null, null, [1, 3.4e-4, 0.99966], [1, 8.5e-4, 0.99915]],
  training: { sessions: [], candidateLambda: 0.1 },
};

const score = (m: FellegiSunterModel, levels: number[]) =>
  scorePairs({ model: m, chunks: [{ left: Uint32Array.of(0), right: Uint32Array.of(1) }], vectors: [{ width: levels.length, levels: Uint8Array.from(levels) }] })[0][0];

describe('scoring household evidence alone', () => {
  it('names the comparisons that say who the person is: not sex, not the household', () => {
    expect([...identifyingComparisons(model)]).toEqual([0, 1]);
  });

  it('weighs a shared phone by the non-matches\' u when the pair has no name or birth date to compare (an unknown patient)', () => {
    const { householdAloneU: _, ...measuredOnly } = model;
    const alone = score(model, [0, 0, 1, 1, 1]);
    expect(alone - score(measuredOnly, [0, 0, 1, 1, 1])).toBeCloseTo(Math.log2(6.4e-4 / 3.4e-4), 12);
  });

  it('keeps the measured u once a name or birth date is compared, agreeing or not', () => {
    const { householdAloneU: _, ...measuredOnly } = model;
    for (const levels of [
      [1, 0, 1, 1, 1],
      [2, 0, 1, 1, 1],
      [0, 2, 1, 1, 1],
    ]) {
      expect(score(model, levels)).toBe(score(measuredOnly, levels));
    }
  });

  it('shows the u it used in the explanation, which still sums to the score', () => {
    const explained = explainPair({ model, vector: Uint8Array.of(0, 0, 1, 1, 1), left: 0, right: 1 });
    expect(explained.matchWeight).toBe(score(model, [0, 0, 1, 1, 1]));
    expect(explained.terms.find((t) => t.comparison === 'phone')?.u).toBe(3.4e-4);
    const sum = explained.terms.reduce((s, t) => s + t.weight + t.tfAdjustment + t.groupAdjustment, explained.priorWeight);
    expect(sum).toBeCloseTo(explained.matchWeight, 12);
    expect(explainPair({ model, vector: Uint8Array.of(1, 0, 1, 1, 1), left: 0, right: 1 }).terms.find((t) => t.comparison === 'phone')?.u).toBe(6.4e-4);
  });

  it('is listed in the model report where it differs from u', () => {
    const report = formatModelReport(model);
    expect(report).toContain('household evidence alone');
    expect(report).toMatch(/phone exact: u 3\.400e-4/);
    const { householdAloneU: _, ...measuredOnly } = model;
    expect(formatModelReport(measuredOnly)).not.toContain('household evidence alone');
  });

  it('is stored in the model (version 2) and read back; a malformed row is refused', () => {
    expect(parseModel(serializeModel(model))).toEqual(model);
    expect(() => parseModel(JSON.stringify({ ...model, householdAloneU: [null] }))).toThrow(/householdAloneU/);
    expect(() => parseModel(JSON.stringify({ ...model, version: 1 }))).toThrow(/version 2/);
  });
});

describe('training', () => {
  it('stores householdAloneU for the household comparisons only, from the sampled u less the matches', () => {
    const comparisons = [twoLevels('given_name'), twoLevels('phone', 'household')];
    // Patterns: both agree (matches), name disagrees and phone agrees (households), both disagree.
    const patterns: PatternCounts = { width: 2, patterns: Uint8Array.of(1, 1, 2, 1, 2, 2), counts: Float64Array.of(900, 60, 9000) };
    const trained = trainModel({
      comparisons,
      u: [
        [1, 0.004, 0.996],
        [1, 6.4e-4, 1 - 6.4e-4],
      ],
      sessions: [{ name: 'phone', columns: ['phone'], patterns }],
      candidatePatterns: patterns,
      candidateCount: 9960,
      totalPairs: 3_000_000,
      uSampleSize: 1_000_000,
      household: [false, true],
    });
    expect(trained.householdAloneU?.[0]).toBeNull();
    const row = trained.householdAloneU![1]!;
    expect(row[1]).toBeCloseTo((6.4e-4 - trained.prior * trained.m[1][1]) / (1 - trained.prior), 9);
    expect(row[1]).toBeLessThan(trained.u[1][1]);
  });
});
