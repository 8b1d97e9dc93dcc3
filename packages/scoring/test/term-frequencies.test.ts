import { describe, expect, it } from 'vitest';
import { compileWeights, explainPair, scorePairs, withTermFrequencies, type FellegiSunterModel } from '../src/model/index.js';
import { birthDateComparison, familyNameComparison, givenNameComparison, identifierComparison } from '../src/comparison-library.js';
import { householdFrequencies, identifierFrequencies, termFrequencies } from '../src/term-frequencies.js';
import type { ComparisonLevel, EncodedColumn } from '../src/types.js';

const column = (dictionary: string[], values: string[]): EncodedColumn => ({ dictionary, ids: Uint32Array.from(values, (v) => dictionary.indexOf(v)) });

describe('term frequencies', () => {
  // Three people called Smith (one of them with four records) and one Lee with four records.
  const family = column(['', 'smith', 'lee'], ['smith', 'smith', 'smith', 'smith', 'smith', 'smith', 'lee', 'lee', 'lee', 'lee']);
  const born = column(['', '19700101', '19800202', '19900303', '19600404'], ['19700101', '19700101', '19700101', '19700101', '19800202', '19900303', '19600404', '19600404', '19600404', '19600404']);

  it('count values per record without a people column', () => {
    expect([...termFrequencies(family)]).toEqual([0, 0.6, 0.4]);
  });

  it('count values per person, told apart by a demographic column: many records of one person do not make a name common', () => {
    // smith: 3 people, lee: 1 person.
    expect([...termFrequencies(family, born)]).toEqual([0, 0.75, 0.25]);
  });

  it('count a value whose records have no demographic value as one person', () => {
    const noDates = column(['', '19700101'], ['', '', '', '', '', '', '', '', '19700101', '']);
    expect([...termFrequencies(family, noDates)]).toEqual([0, 0.5, 0.5]);
  });
});

describe('identifier frequencies: the chance that a different person holds the value', () => {
  // Ten people with ids: a parent's id also on one child's record (two people), eight ids of one person each, one with three records.
  const ids = column(
    ['', 'p', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    ['p', 'p', 'a', 'a', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
  );
  const born = column(
    ['', '1960', '1990', '1970', '1971', '1972', '1973', '1974', '1975', '1976', '1977'],
    ['1960', '1990', '1970', '1970', '1970', '1971', '1972', '1973', '1974', '1975', '1976', '1977'],
  );

  it('a value two people hold: one other holder among the other holders, (n - 1) / (N - 1)', () => {
    expect(identifierFrequencies(ids, born)[1]).toBeCloseTo(1 / 9, 12);
  });

  it("a value one person holds, however many records: the field's own rate of sharing, far below record-linkage's 1 / N", () => {
    // One shared pair among 10 x 9 / 2: the parent's id reused.
    const shared = 2 / (10 * 9);
    for (let id = 2; id <= 9; id++) expect(identifierFrequencies(ids, born)[id]).toBeCloseTo(shared, 12);
    expect(termFrequencies(ids, born)[2]).toBeCloseTo(1 / 10, 12);
  });

  it('no value shared at all: counted as one shared pair', () => {
    const unique = column(['', 'a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd']);
    expect([...identifierFrequencies(unique)].slice(1)).toEqual([2 / 12, 2 / 12, 2 / 12, 2 / 12]);
  });
});

describe('household frequencies: the chance that a different person holds the address or phone', () => {
  // Addresses: a lives alone (two records), b is a household of two, c of four; people told apart by birth date.
  const street = column(['', 'a', 'b', 'c'], ['a', 'a', 'b', 'b', 'c', 'c', 'c', 'c']);
  const born = column(
    ['', '1950', '1952', '1980', '1960', '1962', '1990', '1992'],
    ['1950', '1950', '1952', '1980', '1960', '1962', '1990', '1992'],
  );
  // 7 people hold an address: each value's other people among the 6 other holders.
  const tf = householdFrequencies(street, born);

  it('a household of n people: n - 1 other people among the other holders, (n - 1) / (N - 1)', () => {
    expect(tf[2]).toBeCloseTo(1 / 6, 12);
    expect(tf[3]).toBeCloseTo(3 / 6, 12);
  });

  it('an address one person holds, however many records: half a person, rarer than any shared one', () => {
    expect(tf[1]).toBeCloseTo(0.5 / 6, 12);
    expect(tf[1]).toBeLessThan(tf[2]);
  });

  it("an address one person holds where few are shared: the field's own rate of sharing when rarer than half a person", () => {
    // Six people alone at six phones, two sharing a seventh: one shared pair among 8 x 7 / 2.
    const phone = column(['', 'a', 'b', 'c', 'd', 'e', 'f', 'g'], ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'g']);
    const people = column(['', '1', '2', '3', '4', '5', '6', '7', '8'], ['1', '2', '3', '4', '5', '6', '7', '8']);
    const rare = householdFrequencies(phone, people);
    expect(rare[1]).toBeCloseTo(2 / (8 * 7), 12);
    expect(rare[7]).toBeCloseTo(1 / 7, 12);
  });

  it("a household of four is three times as common a coincidence as one of two, not twice as record-linkage's n / N says", () => {
    const counted = termFrequencies(street, born);
    expect(counted[3] / counted[2]).toBeCloseTo(2, 12);
    expect(tf[3] / tf[2]).toBeCloseTo(3, 12);
  });
});

describe('term-frequency adjustments of the default comparisons', () => {
  const tfLevels = (levels: readonly ComparisonLevel[]) => levels.flatMap((level, i) => (level.tfAdjustment ? [i] : []));
  /** Given name and birth date, exact agreement m 0.9 and u 0.001, the rest spread evenly. */
  const givenNameAndBirthDateModel = (): FellegiSunterModel => {
    const comparisons = [givenNameComparison('given_name'), birthDateComparison('birth_date')];
    return {
      version: 1,
      comparisons,
      m: comparisons.map((c) => c.levels.map((_, l) => (l === 0 ? 1 : l === 1 ? 0.9 : 0.1 / (c.levels.length - 2)))),
      u: comparisons.map((c) => c.levels.map((_, l) => (l === 0 ? 1 : l === 1 ? 0.001 : 0.999 / (c.levels.length - 2)))),
      prior: 1e-4,
      training: { sessions: [], candidateLambda: 0.1 },
    };
  };

  it('adjust exact given names, family names, birth dates and identifiers', () => {
    for (const comparison of [givenNameComparison('g'), familyNameComparison('f'), birthDateComparison('b'), identifierComparison('i')]) {
      expect(tfLevels(comparison.levels), comparison.name).toContain(1);
    }
  });

  it('make a common name on a common birth date worth less than a rare name on a rare one', () => {
    const model = givenNameAndBirthDateModel();
    // Records 0-1: a common name and date (frequency 1%); records 2-3: rare ones (0.01%).
    const tf = [
      { ids: Uint32Array.of(1, 1, 2, 2), tf: Float64Array.of(0, 0.01, 0.0001) },
      { ids: Uint32Array.of(1, 1, 2, 2), tf: Float64Array.of(0, 0.01, 0.0001) },
    ];
    const common = explainPair({ model, vector: Uint8Array.of(1, 1), left: 0, right: 1, tf });
    const rare = explainPair({ model, vector: Uint8Array.of(1, 1), left: 2, right: 3, tf });
    expect(common.matchWeight).toBeLessThan(rare.matchWeight);
    for (const term of common.terms) expect(term.tfAdjustment).toBeCloseTo(Math.log2(0.001 / 0.01), 12);
  });

  it('score alike when a model compiled once takes another table\'s term frequencies (withTermFrequencies)', () => {
    const model = givenNameAndBirthDateModel();
    const frequencies = (common: number) => [{ ids: Uint32Array.of(1, 1), tf: Float64Array.of(0, common) }, null];
    const chunks = [{ left: Uint32Array.of(0), right: Uint32Array.of(1) }];
    const vectors = [{ width: 2, levels: Uint8Array.of(1, 1) }];
    const compiled = compileWeights(model, frequencies(0.01));
    for (const common of [0.01, 0.0001]) {
      const tf = frequencies(common);
      expect(scorePairs({ model, chunks, vectors, tf, compiled: withTermFrequencies(compiled, tf) })).toEqual(scorePairs({ model, chunks, vectors, tf }));
    }
    expect(() => withTermFrequencies(compiled, [null, frequencies(0.01)[0]])).toThrow(/another shape/);
  });
});

describe('a term-frequency adjusted fuzzy level (Splink)', () => {
  it('replaces the exact level\'s u by the frequency, not its own u', () => {
    const base = givenNameComparison('given_name');
    // Also adjust the nickname level (level 2).
    const comparison = { ...base, levels: base.levels.map((level, l) => (l === 2 ? { ...level, tfAdjustment: true } : level)) };
    const n = comparison.levels.length;
    const u = comparison.levels.map((_, l) => (l === 0 ? 1 : l === 1 ? 0.004 : l === 2 ? 0.003 : 0.99 / (n - 3)));
    const model: FellegiSunterModel = {
      version: 1,
      comparisons: [comparison],
      m: [comparison.levels.map((_, l) => (l === 0 ? 1 : 1 / (n - 1)))],
      u: [u],
      prior: 1e-4,
      training: { sessions: [], candidateLambda: 0.1 },
    };
    const tf = [{ ids: Uint32Array.of(1, 2), tf: Float64Array.of(0, 0.02, 0.001) }];
    const nickname = explainPair({ model, vector: Uint8Array.of(2), left: 0, right: 1, tf }).terms[0];
    expect(nickname.tfAdjustment).toBeCloseTo(Math.log2(0.004 / 0.02), 12);
  });
});
