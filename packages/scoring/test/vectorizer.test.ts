import { describe, expect, it } from 'vitest';
import {
  compileVectorizer,
  givenNameComparison,
  InvalidComparisonError,
  termFrequencies,
  vectorizePairs,
  type Comparison,
  type ScoringTable,
} from '../src/index.js';
import { ColumnValues } from '../src/column-values.js';
import { compileSwappedTest, compileValueTest } from '../src/level-tests.js';
import { encodeTable } from './encode-table.js';
import { patientComparisons } from './patient-comparisons.js';
import { randomPairs, syntheticRows } from './synthetic-records.js';


/** The definition, without memo or shortcuts: the first level whose test holds. */
function referenceLevel(table: ScoringTable, comparison: Comparison, left: number, right: number): number {
  const values = new ColumnValues(table.columns[comparison.column]);
  const a = values.ids[left];
  const b = values.ids[right];
  if (a === 0 || b === 0) return 0;
  for (let i = 1; i < comparison.levels.length; i++) {
    const test = comparison.levels[i].test;
    const holds =
      test.type === 'swapped' || test.type === 'crossMatch'
        ? compileSwappedTest(values, new ColumnValues(table.columns[test.other]), test)(left, right)
        : compileValueTest(test, values)(a, b);
    if (holds) return i;
  }
  throw new Error('no level held');
}

describe('compileVectorizer', () => {
  const table = encodeTable(syntheticRows(600, 7));
  const { left, right } = randomPairs(600, 4000, 11);

  it('matches the level definition on random pairs of corrupted records', () => {
    const { width, levels } = vectorizePairs(compileVectorizer(table, patientComparisons), left, right);
    expect(width).toBe(patientComparisons.length);
    const reference = new Uint8Array(levels.length);
    for (let k = 0; k < left.length; k++) {
      patientComparisons.forEach((c, j) => (reference[k * width + j] = referenceLevel(table, c, left[k], right[k])));
    }
    expect(levels).toEqual(reference);
    // The sample reaches well beyond exact/else, or this test would prove little.
    const givenLevels = new Set(Array.from({ length: left.length }, (_, k) => levels[k * width]));
    expect(givenLevels.size).toBeGreaterThanOrEqual(6);
  });

  it('gives the same vectors with a memo too small to hold much', () => {
    const memoised = vectorizePairs(compileVectorizer(table, patientComparisons), left, right);
    const tiny = vectorizePairs(compileVectorizer(table, patientComparisons, { memoSlots: 16 }), left, right);
    expect(tiny.levels).toEqual(memoised.levels);
  });

  it('is symmetric in left and right', () => {
    const vectorizer = compileVectorizer(table, patientComparisons);
    const forward = vectorizePairs(vectorizer, left, right);
    const backward = vectorizePairs(vectorizer, right, left);
    expect(backward.levels).toEqual(forward.levels);
  });
});

describe('comparison validation', () => {
  const table = encodeTable([{ given_name: 'john', family_name: 'smith' }]);
  const valid = givenNameComparison('given_name');

  function rejects(comparisons: readonly Comparison[], name: string, message: RegExp): void {
    let error: unknown;
    try {
      compileVectorizer(table, comparisons);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidComparisonError);
    expect((error as InvalidComparisonError).comparison).toBe(name);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`"${name}"`);
  }

  it('rejects a column the table lacks', () => {
    rejects([givenNameComparison('first_name')], 'first_name', /column "first_name" is not in the table/);
  });
  it('rejects a first level that is not the null level', () => {
    rejects([{ ...valid, levels: valid.levels.slice(1) }], 'given_name', /levels\[0\] must be the null level/);
  });
  it('rejects a last level that is not the else level', () => {
    rejects([{ ...valid, levels: valid.levels.slice(0, -1) }], 'given_name', /last level must be the else level/);
  });
  it('rejects more than 255 levels', () => {
    const many = Array.from({ length: 260 }, (_, i) => ({ label: `JW ${i}`, test: { type: 'jaroWinkler', threshold: 0.5 } as const }));
    rejects([{ ...valid, levels: [valid.levels[0], ...many, valid.levels[valid.levels.length - 1]] }], 'given_name', /at most 255/);
  });
  it('rejects two comparisons with one name', () => {
    rejects([valid, valid], 'given_name', /duplicate comparison name/);
  });
  it('rejects a swapped level whose other column the table lacks', () => {
    rejects([givenNameComparison('given_name', { swappedWith: 'surname' })], 'given_name', /swapped column "surname"/);
  });
  it('accepts the library comparisons', () => {
    expect(() => compileVectorizer(table, [givenNameComparison('given_name', { swappedWith: 'family_name' })])).not.toThrow();
  });
});

describe('termFrequencies', () => {
  it('is each value’s share of the records where the column is present', () => {
    const table = encodeTable([{ c: 'smith' }, { c: 'smith' }, { c: 'lee' }, { c: '' }, { c: 'smith' }]);
    const tf = termFrequencies(table.columns.c);
    expect(Array.from(tf)).toEqual([0, 0.75, 0.25]);
  });
});
