import { describe, expect, it } from 'vitest';
import { compileVectorizer, doubleMetaphoneCodes, sharesDoubleMetaphone, type LevelTest } from '../src/index.js';
import { encodeTable } from './encode-table.js';

/**
 * Whether a level test holds for two values: the level of a comparison
 * [null, test, else] on a two-record table, checked in both pair orders.
 */
function holds(test: LevelTest, a: string, b: string): boolean {
  const table = encodeTable([{ v: a }, { v: b }]);
  const vectorizer = compileVectorizer(table, [
    { name: 'v', column: 'v', levels: [{ label: 'missing', test: { type: 'null' } }, { label: 'under test', test }, { label: 'else', test: { type: 'else' } }] },
  ]);
  const forward = new Uint8Array(1);
  const backward = new Uint8Array(1);
  vectorizer.vectorize(0, 1, forward, 0);
  vectorizer.vectorize(1, 0, backward, 0);
  expect(backward[0], 'level tests are symmetric').toBe(forward[0]);
  if (forward[0] === 0) throw new Error('null level');
  return forward[0] === 1;
}

function levelOf(test: LevelTest, a: string, b: string): number {
  const table = encodeTable([{ v: a }, { v: b }]);
  const vectorizer = compileVectorizer(table, [
    { name: 'v', column: 'v', levels: [{ label: 'missing', test: { type: 'null' } }, { label: 'under test', test }, { label: 'else', test: { type: 'else' } }] },
  ]);
  const out = new Uint8Array(1);
  vectorizer.vectorize(0, 1, out, 0);
  return out[0];
}

/** Levels of records 0-1 and 1-0 of a table of `rows` under one comparison. */
function levelsBothWays(comparison: Parameters<typeof compileVectorizer>[1][number], rows: Record<string, string>[]): number[] {
  const vectorizer = compileVectorizer(encodeTable(rows), [comparison]);
  const out = new Uint8Array(2);
  vectorizer.vectorize(0, 1, out, 0);
  vectorizer.vectorize(1, 0, out, 1);
  return [...out];
}

describe('level tests', () => {
  it('null: a missing value on either side is level 0 whatever the test', () => {
    expect(levelOf({ type: 'exact' }, '', 'john')).toBe(0);
    expect(levelOf({ type: 'jaroWinkler', threshold: 0 }, 'john', '')).toBe(0);
    expect(levelOf({ type: 'exact' }, '', '')).toBe(0);
  });

  it('exact: equal normalized values', () => {
    expect(holds({ type: 'exact' }, 'john', 'john')).toBe(true);
    expect(holds({ type: 'exact' }, 'john', 'jon')).toBe(false);
    // Diacritics are folded upstream, so "jose" and "jose" are simply equal here.
    expect(holds({ type: 'exact' }, 'jose', 'jose')).toBe(true);
  });

  it('nickname: both names share a canonical name', () => {
    expect(holds({ type: 'nickname' }, 'bill', 'william')).toBe(true);
    expect(holds({ type: 'nickname' }, 'billy', 'bill')).toBe(true);
    expect(holds({ type: 'nickname' }, 'peggy', 'margaret')).toBe(true);
    expect(holds({ type: 'nickname' }, 'bill', 'margaret')).toBe(false);
  });

  it('jaroWinkler: similarity at or above the threshold', () => {
    expect(holds({ type: 'jaroWinkler', threshold: 0.92 }, 'jon', 'john')).toBe(true);
    expect(holds({ type: 'jaroWinkler', threshold: 0.92 }, 'jonathan', 'jonathon')).toBe(true);
    expect(holds({ type: 'jaroWinkler', threshold: 0.92 }, 'jonathan', 'johnathon')).toBe(false);
    expect(holds({ type: 'jaroWinkler', threshold: 0.92 }, 'john', 'mary')).toBe(false);
  });

  it('levenshtein: at most maxDistance single-character edits', () => {
    expect(holds({ type: 'levenshtein', maxDistance: 1 }, 'smith', 'smyth')).toBe(true);
    expect(holds({ type: 'levenshtein', maxDistance: 1 }, 'smith', 'smiht')).toBe(false);
    expect(holds({ type: 'levenshtein', maxDistance: 2 }, 'smith', 'smiht')).toBe(true);
  });

  it('damerauLevenshtein: an adjacent transposition is one edit', () => {
    expect(holds({ type: 'damerauLevenshtein', maxDistance: 1 }, 'smith', 'smiht')).toBe(true);
    expect(holds({ type: 'damerauLevenshtein', maxDistance: 1 }, 'msith', 'smith')).toBe(true);
    expect(holds({ type: 'damerauLevenshtein', maxDistance: 1 }, 'smith', 'smythe')).toBe(false);
  });

  it('doubleMetaphone: a phonetic code in common', () => {
    expect(holds({ type: 'doubleMetaphone' }, 'catherine', 'kathryn')).toBe(true);
    expect(holds({ type: 'doubleMetaphone' }, 'philip', 'filip')).toBe(true);
    expect(holds({ type: 'doubleMetaphone' }, 'philip', 'peter')).toBe(false);
  });

  it('doubleMetaphone: every pair of one table agrees with sharesDoubleMetaphone on the codes, codeless values included', () => {
    const names = ['catherine', 'kathryn', 'smith', 'schmidt', 'jones', 'philip', 'filip', 'peter', 'xavier', 'zavier', 'thomas', 'tomas', '1234', 'h', 'aaa', 'schmidt'];
    const vectorizer = compileVectorizer(encodeTable(names.map((v) => ({ v }))), [
      { name: 'v', column: 'v', levels: [{ label: 'missing', test: { type: 'null' } }, { label: 'phonetic', test: { type: 'doubleMetaphone' } }, { label: 'else', test: { type: 'else' } }] },
    ]);
    const out = new Uint8Array(1);
    for (let i = 0; i < names.length; i++) {
      for (let j = 0; j < names.length; j++) {
        if (i === j) continue;
        vectorizer.vectorize(i, j, out, 0);
        const expected = names[i] === names[j] || sharesDoubleMetaphone(doubleMetaphoneCodes(names[i]), doubleMetaphoneCodes(names[j]));
        expect(out[0] === 1, `${names[i]} / ${names[j]}`).toBe(expected);
      }
    }
  });

  it('initial: a single letter equal to the first letter of the other', () => {
    expect(holds({ type: 'initial' }, 'j', 'john')).toBe(true);
    expect(holds({ type: 'initial' }, 'john', 'j')).toBe(true);
    expect(holds({ type: 'initial' }, 'k', 'john')).toBe(false);
    expect(holds({ type: 'initial' }, 'jo', 'john')).toBe(false);
  });

  it('dateTransposed: same year, day and month swapped', () => {
    expect(holds({ type: 'dateTransposed' }, '19870305', '19870503')).toBe(true);
    expect(holds({ type: 'dateTransposed' }, '19870305', '19870305')).toBe(false);
    expect(holds({ type: 'dateTransposed' }, '19870305', '19880503')).toBe(false);
  });

  it('dateWithinDays: at most so many days apart, across month and year ends', () => {
    expect(holds({ type: 'dateWithinDays', days: 30 }, '19871220', '19880110')).toBe(true);
    expect(holds({ type: 'dateWithinDays', days: 30 }, '19870101', '19870301')).toBe(false);
    expect(holds({ type: 'dateWithinDays', days: 30 }, '19870101', 'unknown')).toBe(false);
  });

  it('dateYearOffByOne: same month and day, years one apart', () => {
    expect(holds({ type: 'dateYearOffByOne' }, '19870305', '19860305')).toBe(true);
    expect(holds({ type: 'dateYearOffByOne' }, '19870305', '19870305')).toBe(false);
    expect(holds({ type: 'dateYearOffByOne' }, '19870305', '19970305')).toBe(false);
  });

  it('dateOneDigit: one mistyped digit', () => {
    expect(holds({ type: 'dateOneDigit' }, '19870305', '19870805')).toBe(true);
    expect(holds({ type: 'dateOneDigit' }, '19870305', '19780305')).toBe(false);
  });

  it('prefix: the first characters agree', () => {
    expect(holds({ type: 'prefix', length: 3 }, '2010', '2011')).toBe(true);
    expect(holds({ type: 'prefix', length: 3 }, '2010', '2110')).toBe(false);
    expect(holds({ type: 'prefix', length: 3 }, '20', '20')).toBe(false);
  });

  it('tokenOverlap: Jaccard similarity of tokens', () => {
    expect(holds({ type: 'tokenOverlap', threshold: 0.5 }, 'flat 2 12 high street', '12 high street')).toBe(true);
    expect(holds({ type: 'tokenOverlap', threshold: 0.5 }, 'high street', 'church street')).toBe(false);
  });

  it('else: always holds', () => {
    const vectorizer = compileVectorizer(encodeTable([{ v: 'john' }, { v: 'mary' }]), [
      { name: 'v', column: 'v', levels: [{ label: 'missing', test: { type: 'null' } }, { label: 'else', test: { type: 'else' } }] },
    ]);
    const out = new Uint8Array(1);
    vectorizer.vectorize(0, 1, out, 0);
    expect(out[0]).toBe(1);
  });
});

describe('swapped level', () => {
  const swappedComparison = {
    name: 'given_name',
    column: 'given_name',
    levels: [
      { label: 'missing', test: { type: 'null' } },
      { label: 'exact', test: { type: 'exact' } },
      { label: 'swapped with family_name', test: { type: 'swapped', other: 'family_name' } },
      { label: 'Jaro-Winkler >= 0.92', test: { type: 'jaroWinkler', threshold: 0.92 } },
      { label: 'else', test: { type: 'else' } },
    ],
  } as const;

  const levelsOf = (rows: Record<string, string>[]) => levelsBothWays(swappedComparison, rows);

  it('holds when given and family names are swapped between the records', () => {
    expect(levelsOf([
      { given_name: 'john', family_name: 'smith' },
      { given_name: 'smith', family_name: 'john' },
    ])).toEqual([2, 2]);
  });

  it('needs both names swapped, not just one value seen in the other column', () => {
    expect(levelsOf([
      { given_name: 'john', family_name: 'smith' },
      { given_name: 'smith', family_name: 'jones' },
    ])).toEqual([4, 4]);
  });

  it('gives way to a better level the values reach on their own', () => {
    // Same given names: exact beats swapped even though the family names are swapped too.
    expect(levelsOf([
      { given_name: 'lee', family_name: 'lee' },
      { given_name: 'lee', family_name: 'lee' },
    ])).toEqual([1, 1]);
  });

  it('is not broken by the value-pair memo: same given-name pair, different family names', () => {
    const rows = [
      { given_name: 'john', family_name: 'smith' },
      { given_name: 'smith', family_name: 'john' },
      { given_name: 'john', family_name: 'brown' },
      { given_name: 'smith', family_name: 'jones' },
    ];
    const vectorizer = compileVectorizer(encodeTable(rows), [swappedComparison]);
    const out = new Uint8Array(2);
    vectorizer.vectorize(0, 1, out, 0);
    vectorizer.vectorize(2, 3, out, 1);
    expect([...out]).toEqual([2, 4]);
  });
});

describe('fuzzy swapped and cross-match levels', () => {
  const comparison = {
    name: 'given_name',
    column: 'given_name',
    levels: [
      { label: 'missing', test: { type: 'null' } },
      { label: 'exact', test: { type: 'exact' } },
      { label: 'swapped', test: { type: 'swapped', other: 'family_name' } },
      { label: 'swapped, Jaro-Winkler >= 0.9', test: { type: 'swapped', other: 'family_name', threshold: 0.9 } },
      { label: 'equals family_name of the other record', test: { type: 'crossMatch', other: 'family_name' } },
      { label: 'else', test: { type: 'else' } },
    ],
  } as const;

  const levelsOf = (rows: Record<string, string>[]) => levelsBothWays(comparison, rows);

  it('finds names swapped and misspelt', () => {
    expect(levelsOf([
      { given_name: 'amelia', family_name: 'graham jones' },
      { given_name: 'graham jones', family_name: 'amelua' },
    ])).toEqual([3, 3]);
  });

  it('finds a name typed into the other field on one side only', () => {
    expect(levelsOf([
      { given_name: 'gillian', family_name: 'lodge' },
      { given_name: 'lodge', family_name: 'adele' },
    ])).toEqual([4, 4]);
  });

  it('keeps an exact swap at the stronger level and unrelated names at else', () => {
    expect(levelsOf([
      { given_name: 'john', family_name: 'smith' },
      { given_name: 'smith', family_name: 'john' },
    ])).toEqual([2, 2]);
    expect(levelsOf([
      { given_name: 'john', family_name: 'smith' },
      { given_name: 'mary', family_name: 'jones' },
    ])).toEqual([5, 5]);
  });
});

describe('fuzzy cross-match level', () => {
  const comparison = {
    name: 'street_address',
    column: 'street_address',
    levels: [
      { label: 'missing', test: { type: 'null' } },
      { label: 'exact', test: { type: 'exact' } },
      { label: 'like address_line_2 of the other record', test: { type: 'crossMatch', other: 'address_line_2', threshold: 0.9 } },
      { label: 'else', test: { type: 'else' } },
    ],
  } as const;

  const levelsOf = (rows: Record<string, string>[]) => levelsBothWays(comparison, rows);

  it('holds when one record\'s line is a misspelling of the other record\'s other line, in either direction', () => {
    expect(levelsOf([
      { street_address: 'macleay south treet', address_line_2: '' },
      { street_address: 'morocco', address_line_2: 'macleay street' },
    ])).toEqual([2, 2]);
  });

  it('does not hold for unrelated lines', () => {
    expect(levelsOf([
      { street_address: 'macleay street', address_line_2: 'rose cottage' },
      { street_address: 'morocco', address_line_2: 'unit 4' },
    ])).toEqual([3, 3]);
  });

  it('rejects a threshold outside (0, 1]', () => {
    const bad = { ...comparison, levels: [comparison.levels[0], { label: 'x', test: { type: 'crossMatch', other: 'address_line_2', threshold: 1.5 } }, comparison.levels[3]] };
    expect(() => compileVectorizer(encodeTable([{ street_address: 'a', address_line_2: 'b' }]), [bad as never])).toThrow(/threshold/);
  });
});
