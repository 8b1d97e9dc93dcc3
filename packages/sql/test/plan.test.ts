// The plan is data derived from the model: JSON round-trips it, it holds no SQL
// text, and its weights are the scorer's (compileWeights).
import { describe, expect, it } from 'vitest';
import { compileWeights, givenNameComparison, sexComparison, birthDateComparison, type FellegiSunterModel } from '@mpi/scoring';
import { buildLinkagePlan, DIALECTS, renderJob } from '../src/index.js';

const comparisons = [
  { ...givenNameComparison('given_name'), demographic: true },
  { ...birthDateComparison('birth_date'), demographic: true },
  { ...sexComparison('sex'), demographic: true },
];
const model: FellegiSunterModel = {
  version: 1,
  comparisons,
  m: comparisons.map((c) => c.levels.map((_, l) => (l === 0 ? 1 : (c.levels.length - l) / c.levels.length))),
  u: comparisons.map((c) => c.levels.map((_, l) => (l === 0 ? 1 : l / c.levels.length))),
  prior: 0.001,
  training: { sessions: [], candidateLambda: 0 },
};
const plan = buildLinkagePlan({
  model,
  rules: [{ kind: 'key', keys: [{ column: 'birth_date' }] }, { kind: 'sortedNeighbourhood', keys: [{ column: 'given_name', transform: 'doubleMetaphone' }], window: 5 }],
  mode: 'link',
  threshold: 0.9,
  thresholdWeight: Math.log2(0.9 / 0.1),
  clustering: 'averageLinkage',
});

describe('the linkage plan', () => {
  it('is plain data: JSON gives it back whole, with no SQL text in it', () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(JSON.stringify(plan)).not.toMatch(/SELECT|CASE|jaro_winkler_similarity/);
  });

  it('carries the scorer’s weights, tf-adjusted levels and veto roles', () => {
    const compiled = compileWeights(model, comparisons.map(() => ({ ids: new Uint32Array(0), tf: new Float64Array(0) })));
    expect(plan.priorWeight).toBe(compiled.priorWeight);
    plan.comparisons.forEach((c, i) => {
      expect(c.levels.map((level) => level.weight)).toEqual(Array.from(compiled.weights[i]));
      expect(c.levels.map((level) => level.tfReferenceU !== undefined)).toEqual(comparisons[i].levels.map((level) => level.tfAdjustment === true));
      expect(c.levels.at(-1)!.vetoRole).toBe('disagrees');
    });
    expect(plan.veto).toEqual({ disagreements: 3 });
  });

  it('derives keys for transforms and keeps rules in order, link mode across sources only', () => {
    expect(plan.blocking.map((rule) => rule.parts.map((part) => part.keyColumn))).toEqual([['birth_date'], ['given_name__key_doubleMetaphone']]);
    for (const dialect of Object.values(DIALECTS)) {
      const pairs = renderJob(plan, dialect).setup.find((s) => s.step.startsWith('pairs of rule') && s.sql.includes('SELECT'))!.sql;
      expect(pairs).toContain(`l.${dialect.quote('source')} <> r.${dialect.quote('source')}`);
    }
  });
});
