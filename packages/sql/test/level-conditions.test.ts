// The declarative form of every level test, run in DuckDB, against the
// in-process kernels (@mpi/scoring's vectorizer) on the same value pairs: every
// pair of a sample of FEBRL values and of values made to hit each level.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EncodedColumn, EncodedTable } from '@mpi/types';
import { compileVectorizer, givenNameComparison, vectorizePairs, type Comparison, type FellegiSunterModel, type LevelTest } from '@mpi/scoring';
import { buildLinkagePlan, DuckDbExecutor } from '../src/index.js';

const febrl = readFileSync(resolve(import.meta.dirname, '../../../fixtures/data/febrl/dataset3.csv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line !== '')
  .map((line) => line.split(', '));

/** Every 37th FEBRL record's field (a spread of real, corrupted values), then the made ones. */
function sample(field: number, made: readonly string[]): string[] {
  return [...febrl.filter((_, i) => i % 37 === 0).map((row) => row[field] ?? ''), ...made];
}

// 'h' and 'hh' have no Double Metaphone code (two NULLs must not match); 'aw' has two codes, 'wh' one of them.
const NAMES = ['william', 'bill', 'billy', 'will', 'robert', 'bob', 'rob', 'elizabeth', 'liz', 'beth', 'j', 'john', 'jon', 'jonathan', 'jane', 'smith', 'smyth', 'schmidt', 'catherine', 'kathryn', 'martha', 'marhta', '', 'o neil', 'oneil', 'mary ann', 'maryann', 'anne marie', 'h', 'hh', 'wh', 'aw'];
const DATES = ['19800102', '19800201', '19810102', '19790102', '19800112', '19800103', '19800131', '19800301', '19801340', '1980010', '20000229', '20000301', '19800120', '', '08001980'];
const ADDRESSES = ['12 main street', 'main street 12', 'main st', '12 main street flat 3', 'wallaby place', 'wallaby pl', 'flat 3', '', 'the glen', 'glen the', 'a b c d'];

/**
 * Names in scripts normalization keeps (Greek, Cyrillic, CJK, Hangul as the
 * jamo NFKD leaves; Latin letters with diacritics, which it folds, as a
 * control), each with typos of one character: a substitution, a deletion,
 * an insertion, an adjacent swap. In UTF-8 each such character is two to four
 * bytes, so an engine counting bytes sees two or more edits where our kernels
 * see one.
 */
const SCRIPTS = [
  'παπαδοπουλοσ', 'παπαδοπουλασ', 'παπαδοπολοσ', 'παπαδοπουλλοσ', 'παπαδοπουλσο', 'γεωργιου', 'γεωργιοι',
  'иванов', 'иваноф', 'иванв', 'ивавнов', 'смирнова', 'смирнава', 'кузнецов', 'кузнецев',
  '王小明', '王小朋', '王明小', '王小', '佐藤健一', '佐藤健二', '佐藤建一', '高橋美咲', '高橋美',
  ...['김민준', '김민존', '김민', '박서연', '박서현'].map((name) => name.normalize('NFKD')),
  'østergård', 'østergard', 'ostergard', '',
];

const size = Math.max(sample(1, NAMES).length, sample(9, DATES).length);
/** Column `field` of the FEBRL sample (with the made values), cycled to `size` records. */
function column(values: readonly string[]): EncodedColumn {
  const dictionary = [''];
  const idOf = new Map<string, number>();
  const ids = new Uint32Array(size);
  for (let r = 0; r < size; r++) {
    const value = values[r % values.length];
    if (value === '') continue;
    let id = idOf.get(value);
    if (id === undefined) idOf.set(value, (id = dictionary.push(value) - 1));
    ids[r] = id;
  }
  return { dictionary, ids };
}

const table: EncodedTable = {
  size,
  source: new Uint16Array(size),
  columns: {
    name: column(sample(1, NAMES)),
    other: column(sample(2, [...NAMES].reverse())),
    date: column(sample(9, DATES)),
    address: column(sample(4, ADDRESSES)),
    all: column(['all']),
    scripts: column(SCRIPTS),
  },
};

const TESTS: [string, LevelTest][] = [
  ['name', { type: 'exact' }],
  ['name', { type: 'nickname' }],
  ['name', { type: 'jaroWinkler', threshold: 0.92 }],
  ['name', { type: 'jaroWinkler', threshold: 0.8 }],
  ['name', { type: 'levenshtein', maxDistance: 2 }],
  ['name', { type: 'levenshtein', maxDistance: 1 }],
  ['name', { type: 'damerauLevenshtein', maxDistance: 1 }],
  ['name', { type: 'doubleMetaphone' }],
  ['name', { type: 'initial' }],
  ['name', { type: 'prefix', length: 3 }],
  ['name', { type: 'swapped', other: 'other' }],
  ['name', { type: 'swapped', other: 'other', threshold: 0.9 }],
  ['name', { type: 'crossMatch', other: 'other' }],
  ['name', { type: 'crossMatch', other: 'other', threshold: 0.9 }],
  ['address', { type: 'tokenOverlap', threshold: 0.5 }],
  ['address', { type: 'jaroWinkler', threshold: 0.9 }],
  ['date', { type: 'dateTransposed' }],
  ['date', { type: 'dateWithinDays', days: 30 }],
  ['date', { type: 'dateYearOffByOne' }],
  ['date', { type: 'dateOneDigit' }],
  ['date', { type: 'damerauLevenshtein', maxDistance: 1 }],
  ['address', { type: 'damerauLevenshtein', maxDistance: 1 }],
  ['scripts', { type: 'jaroWinkler', threshold: 0.92 }],
  ['scripts', { type: 'jaroWinkler', threshold: 0.8 }],
  ['scripts', { type: 'levenshtein', maxDistance: 2 }],
  ['scripts', { type: 'levenshtein', maxDistance: 1 }],
  ['scripts', { type: 'damerauLevenshtein', maxDistance: 1 }],
  ['scripts', { type: 'damerauLevenshtein', maxDistance: 2 }],
  ['scripts', { type: 'prefix', length: 2 }],
];

const comparisons: Comparison[] = [
  ...TESTS.map(([columnName, test], i): Comparison => ({
    name: `t${i}_${test.type}`,
    column: columnName,
    levels: [{ label: 'missing', test: { type: 'null' } }, { label: test.type, test }, { label: 'else', test: { type: 'else' } }],
  })),
  // A library comparison whose levels come in order (the first that holds wins), and a multi-valued one.
  { ...givenNameComparison('name', { swappedWith: 'other' }), name: 'given_name' },
  {
    name: 'multi',
    column: 'name',
    valueColumns: ['other'],
    levels: [
      { label: 'missing', test: { type: 'null' } },
      { label: 'exact', test: { type: 'exact' } },
      { label: 'jw', test: { type: 'jaroWinkler', threshold: 0.9 } },
      { label: 'else', test: { type: 'else' } },
    ],
  },
];

const model: FellegiSunterModel = {
  version: 1,
  comparisons,
  m: comparisons.map((c) => c.levels.map(() => 0.5)),
  u: comparisons.map((c) => c.levels.map(() => 0.5)),
  prior: 0.01,
  training: { sessions: [], candidateLambda: 0 },
};

describe('level conditions in DuckDB against the in-process level tests', () => {
  it('give every pair of values the same level in every comparison', async () => {
    const plan = buildLinkagePlan({ model, rules: [{ kind: 'key', keys: [{ column: 'all' }] }], mode: 'dedupe', threshold: 0.5, thresholdWeight: 0, clustering: 'connectedComponents' });
    const executor = await DuckDbExecutor.open({ threads: 1 });
    try {
      const tf = comparisons.map((c) => (c.levels.some((level) => level.tfAdjustment) ? [new Float64Array(table.columns[c.column].dictionary.length).fill(0.01)] : null));
      await executor.loadRecords(table, plan, tf);
      await executor.compare(plan);
      const gammas = comparisons.map((c) => `"gamma_${c.name}"`).join(', ');
      const reader = await executor.connection.runAndReadAll(`SELECT left_row, right_row, ${gammas} FROM comparison_vectors ORDER BY left_row, right_row`);
      const [left, right, ...levels] = reader.getColumns() as number[][];
      expect(left.length).toBe((size * (size - 1)) / 2);
      const vectors = vectorizePairs(compileVectorizer(table, comparisons), Uint32Array.from(left), Uint32Array.from(right));
      const disagreements: string[] = [];
      const held = comparisons.map(() => 0);
      comparisons.forEach((comparison, c) => {
        for (let k = 0; k < left.length; k++) {
          const expected = vectors.levels[k * comparisons.length + c];
          if (expected === 1) held[c]++;
          if (levels[c][k] !== expected) disagreements.push(`${comparison.name}: rows ${left[k]},${right[k]} sql ${levels[c][k]} js ${expected}`);
        }
      });
      expect(disagreements.slice(0, 20)).toEqual([]);
      // Every test holds for some pairs, so agreement is not agreement on "never".
      comparisons.forEach((comparison, c) => expect(held[c], comparison.name).toBeGreaterThan(0));
    } finally {
      executor.close();
    }
  });
});
