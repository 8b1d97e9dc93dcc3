import { describe, expect, it } from 'vitest';
import {
  explainPair,
  matchProbability,
  matchWeightTable,
  priorWeight,
  scorePairs,
  type FellegiSunterModel,
  type TermFrequencyInput,
} from '../src/model/index.js';
import type { Comparison, ComparisonVectors, PairChunk } from '../src/types.js';

const nullLevel = { label: 'null', test: { type: 'null' } } as const;
const comparisons: Comparison[] = [
  {
    name: 'family_name',
    column: 'family_name',
    levels: [nullLevel, { label: 'exact', test: { type: 'exact' }, tfAdjustment: true }, { label: 'JW >= 0.9', test: { type: 'jaroWinkler', threshold: 0.9 } }, { label: 'else', test: { type: 'else' } }],
  },
  {
    name: 'birth_date',
    column: 'birth_date',
    levels: [nullLevel, { label: 'exact', test: { type: 'exact' } }, { label: 'else', test: { type: 'else' } }],
  },
];

const model: FellegiSunterModel = {
  version: 1,
  comparisons,
  m: [
    [1, 0.8, 0.15, 0.05],
    [1, 0.9, 0.1],
  ],
  u: [
    [1, 0.01, 0.04, 0.95],
    [1, 0.002, 0.998],
  ],
  prior: 0.001,
  training: { sessions: [], candidateLambda: 0.1 },
};

// Records 0-3 carry the common family name (dictionary id 1), records 4-5 a rare
// one (id 2), record 6 none.
const familyNameTf: TermFrequencyInput = {
  ids: Uint32Array.from([1, 1, 1, 1, 2, 2, 0]),
  tf: Float64Array.from([0, 0.2, 0.0005]),
};
const tf = [familyNameTf, null];

function pairs(list: [number, number][]): PairChunk {
  return { left: Uint32Array.from(list, (p) => p[0]), right: Uint32Array.from(list, (p) => p[1]) };
}
function vectors(rows: number[][]): ComparisonVectors {
  return { width: 2, levels: Uint8Array.from(rows.flat()) };
}

describe('match weights', () => {
  it('are log2(m / u) per level and 0 for the null level', () => {
    const table = matchWeightTable(model);
    expect(table[0][0]).toBe(0);
    expect(table[0][1]).toBeCloseTo(Math.log2(80), 12);
    expect(table[1][2]).toBeCloseTo(Math.log2(0.1 / 0.998), 12);
  });

  it('turn the prior into log-odds', () => {
    expect(priorWeight(model)).toBeCloseTo(Math.log2(0.001 / 0.999), 12);
  });
});

describe('matchProbability', () => {
  it('maps weight 0 to 1/2 and is the logistic in base 2', () => {
    expect(matchProbability(0)).toBe(0.5);
    expect(matchProbability(3)).toBeCloseTo(8 / 9, 15);
    expect(matchProbability(-3)).toBeCloseTo(1 / 9, 15);
  });

  it('stays finite and in [0, 1] for huge weights', () => {
    for (const weight of [1000, 1024, 1500, 1e6, Infinity]) expect(matchProbability(weight)).toBe(1);
    for (const weight of [-1500, -1e6, -Infinity]) expect(matchProbability(weight)).toBe(0);
    expect(matchProbability(-1000)).toBeGreaterThan(0);
    expect(matchProbability(-1000)).toBeCloseTo(2 ** -1000, 300);
  });
});

describe('scorePairs and explainPair', () => {
  const chunks = [pairs([[0, 1], [4, 5], [0, 4], [2, 6]]), pairs([[1, 3], [5, 6]])];
  const vecs = [
    vectors([[1, 1], [1, 1], [2, 2], [0, 1]]),
    vectors([[3, 0], [1, 2]]),
  ];
  const scores = scorePairs({ model, chunks, vectors: vecs, tf });

  it('gives one weight per pair, per chunk', () => {
    expect(scores.map((s) => s.length)).toEqual([4, 2]);
  });

  it('agree exactly, and the explanation terms plus the prior sum to the weight', () => {
    chunks.forEach((chunk, i) => {
      for (let k = 0; k < chunk.left.length; k++) {
        const vector = vecs[i].levels.subarray(k * 2, k * 2 + 2);
        const explanation = explainPair({ model, vector, left: chunk.left[k], right: chunk.right[k], tf });
        expect(explanation.matchWeight).toBe(scores[i][k]);
        const sum = explanation.terms.reduce((total, term) => total + term.weight + term.tfAdjustment + term.groupAdjustment, explanation.priorWeight);
        expect(sum).toBeCloseTo(explanation.matchWeight, 12);
        expect(explanation.matchProbability).toBe(matchProbability(scores[i][k]));
      }
    });
  });

  it('explains each comparison with its level, m, u and Bayes factor', () => {
    const explanation = explainPair({ model, vector: Uint8Array.from([2, 0]), left: 0, right: 4 });
    expect(explanation.terms).toEqual([
      { comparison: 'family_name', level: 2, label: 'JW >= 0.9', m: 0.15, u: 0.04, bayesFactor: 0.15 / 0.04, weight: Math.log2(0.15 / 0.04), tfAdjustment: 0, groupAdjustment: 0 },
      { comparison: 'birth_date', level: 0, label: 'null', m: 1, u: 1, bayesFactor: 1, weight: 0, tfAdjustment: 0, groupAdjustment: 0 },
    ]);
  });

  it('weighs agreement on a rare family name more than on a common one', () => {
    const [common, rare] = [scores[0][0], scores[0][1]];
    expect(rare).toBeGreaterThan(common);
    const commonTerm = explainPair({ model, vector: Uint8Array.from([1, 1]), left: 0, right: 1, tf }).terms[0];
    expect(commonTerm.tfAdjustment).toBeCloseTo(Math.log2(0.01 / 0.2), 12);
    const rareTerm = explainPair({ model, vector: Uint8Array.from([1, 1]), left: 4, right: 5, tf }).terms[0];
    expect(rareTerm.tfAdjustment).toBeCloseTo(Math.log2(0.01 / 0.0005), 12);
  });

  it('uses the more frequent of the two values, and skips unknown frequencies', () => {
    const mixed = explainPair({ model, vector: Uint8Array.from([1, 1]), left: 0, right: 4, tf }).terms[0];
    expect(mixed.tfAdjustment).toBeCloseTo(Math.log2(0.01 / 0.2), 12);
    const unknown = explainPair({ model, vector: Uint8Array.from([1, 1]), left: 6, right: 6, tf }).terms[0];
    expect(unknown.tfAdjustment).toBe(0);
  });

  it('adjusts only tf-enabled levels and only when frequencies are given', () => {
    const withoutTf = scorePairs({ model, chunks, vectors: vecs });
    expect(withoutTf[0][0]).toBeCloseTo(priorWeight(model) + Math.log2(80) + Math.log2(0.9 / 0.002), 12);
    expect(withoutTf[0][2]).toBe(scores[0][2]);
  });
});

describe('interaction terms', () => {
  // Family name and birth date both exact: twins, whom independence undercounts.
  const withTerm: FellegiSunterModel = {
    ...model,
    version: 2,
    interactions: [{ comparisons: ['family_name', 'birth_date'], levels: [1, 1], disagreeing: [], weight: -3.25, nonMatches: 40, predictedNonMatches: 4 }],
  };
  const chunks = [pairs([[0, 1], [4, 5], [0, 4], [2, 6]])];
  const vecs = [vectors([[1, 1], [1, 2], [2, 1], [0, 1]])];
  const plain = scorePairs({ model, chunks, vectors: vecs, tf })[0];
  const scored = scorePairs({ model: withTerm, chunks, vectors: vecs, tf })[0];

  it('add their weight to the pairs in the joint cell only', () => {
    expect(scored[0]).toBeCloseTo(plain[0] - 3.25, 12);
    expect([scored[1], scored[2], scored[3]]).toEqual([plain[1], plain[2], plain[3]]);
  });

  it('are explained, and the waterfall still adds up to the score exactly', () => {
    for (let k = 0; k < 4; k++) {
      const vector = vecs[0].levels.subarray(k * 2, k * 2 + 2);
      const explanation = explainPair({ model: withTerm, vector, left: chunks[0].left[k], right: chunks[0].right[k], tf });
      expect(explanation.matchWeight).toBe(scored[k]);
      expect(explanation.interactions).toEqual(k === 0 ? [{ comparisons: ['family_name', 'birth_date'], weight: -3.25 }] : []);
      const sum = explanation.terms.reduce((total, term) => total + term.weight + term.tfAdjustment + term.groupAdjustment, explanation.priorWeight);
      expect(sum + explanation.interactions.reduce((total, term) => total + term.weight, 0)).toBeCloseTo(explanation.matchWeight, 12);
    }
  });
});

describe('evidence groups', () => {
  // Street address, postcode and phone of one household: strongly dependent among non-matches.
  const exactElse = (name: string, group?: string): Comparison => ({
    name,
    column: name,
    levels: [nullLevel, { label: 'exact', test: { type: 'exact' } }, { label: 'else', test: { type: 'else' } }],
    ...(group ? { evidenceGroup: group } : {}),
  });
  const grouped: FellegiSunterModel = {
    version: 1,
    comparisons: [exactElse('birth_date'), exactElse('street_address', 'household'), exactElse('postcode', 'household'), exactElse('phone', 'household')],
    m: [
      [1, 0.95, 0.05],
      [1, 0.8, 0.2],
      [1, 0.85, 0.15],
      [1, 0.9, 0.1],
    ],
    u: [
      [1, 0.001, 0.999],
      [1, 0.0005, 0.9995],
      [1, 0.001, 0.999],
      [1, 0.0002, 0.9998],
    ],
    prior: 0.001,
    training: { sessions: [], candidateLambda: 0.1 },
  };
  const w = matchWeightTable(grouped);
  const chunk = pairs([
    [0, 1],
    [2, 3],
    [4, 5],
  ]);
  const levels = { width: 4, levels: Uint8Array.from([2, 1, 1, 1, 1, 1, 2, 0, 1, 2, 2, 2]) };
  const [scores] = scorePairs({ model: grouped, chunks: [chunk], vectors: [levels] });

  it('count only the strongest agreement of a household that agrees on everything', () => {
    // A relative at the same address: birth date differs, address, postcode and phone agree.
    expect(scores[0]).toBeCloseTo(priorWeight(grouped) + w[0][2] + w[3][1], 12);
  });

  it('count the strongest agreement and the strongest disagreement when the group is split', () => {
    expect(scores[1]).toBeCloseTo(priorWeight(grouped) + w[0][1] + Math.max(w[1][1], w[2][1]) + w[2][2], 12);
    expect(scores[2]).toBeCloseTo(priorWeight(grouped) + w[0][1] + Math.min(w[1][2], w[2][2], w[3][2]), 12);
  });

  it('are explained with adjustments that cancel the weights that do not count', () => {
    for (let k = 0; k < 3; k++) {
      const explanation = explainPair({ model: grouped, vector: levels.levels.subarray(k * 4, k * 4 + 4), left: chunk.left[k], right: chunk.right[k] });
      expect(explanation.matchWeight).toBe(scores[k]);
      const sum = explanation.terms.reduce((total, t) => total + t.weight + t.tfAdjustment + t.groupAdjustment, explanation.priorWeight);
      expect(sum).toBeCloseTo(scores[k], 12);
    }
    const relative = explainPair({ model: grouped, vector: levels.levels.subarray(0, 4), left: 0, right: 1 });
    expect(relative.terms.map((t) => t.groupAdjustment !== 0)).toEqual([false, true, true, false]);
  });
});
