import { describe, expect, it } from 'vitest';
import {
  combineRecordKeys,
  compileBlockingRule,
  countRulePairs,
  generatePairs,
  type BlockingRule,
  type RecordKeys,
} from '../src/index.js';
import { pairList, buildTable, seededRandom, type TestRecord } from './table-builder.js';

const GIVEN = ['ann', 'anne', 'john', 'jon', 'li', 'mary'];
const FAMILY = ['smith', 'smyth', 'jones', 'li', 'brown', 'ann'];
const DOB = ['19840317', '19840318', '19790317', '20010101'];

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)];
}

function people(seed: number, n: number): TestRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => ({
    given: random() < 0.1 ? undefined : pick(random, GIVEN),
    family: random() < 0.1 ? undefined : pick(random, FAMILY),
    middle: random() < 0.3 ? undefined : pick(random, GIVEN),
    dob: random() < 0.1 ? undefined : pick(random, DOB),
  }));
}

const RULES: readonly BlockingRule[] = [
  { kind: 'key', keys: [{ column: 'dob' }, { column: 'given', transform: 'prefix:1' }] },
  { kind: 'key', unordered: true, keys: [{ column: 'given', transform: 'doubleMetaphone' }, { column: 'family', transform: 'doubleMetaphone' }] },
  { kind: 'sortedNeighbourhood', keys: [{ column: 'family' }, { column: 'dob', transform: 'year' }], window: 3 },
  { kind: 'key', keys: [{ column: 'family', transform: 'soundex' }] },
];

describe('compiled rules passed to countRulePairs and generatePairs', () => {
  it('give exactly the pairs, order and per-rule counts of the plain rules', () => {
    const table = buildTable(people(7, 300), Array.from({ length: 300 }, (_, r) => r % 3));
    for (const mode of ['dedupe', 'link', 'link_and_dedupe'] as const) {
      const compiled = RULES.map((rule) => compileBlockingRule(table, rule));
      expect(countRulePairs(table, compiled, mode)).toEqual(countRulePairs(table, RULES, mode));
      const fromRules = generatePairs(table, RULES, { mode, chunkSize: 100 });
      const fromCompiled = generatePairs(table, compiled, { mode, chunkSize: 100 });
      expect(pairList(fromCompiled)).toEqual(pairList(fromRules));
      expect(fromCompiled.countsByRule).toEqual(fromRules.countsByRule);
      expect(fromCompiled.count).toBe(fromRules.count);
    }
  });

  it('may mix compiled and plain rules', () => {
    const table = buildTable(people(8, 120));
    const mixed = [compileBlockingRule(table, RULES[0]), RULES[1], compileBlockingRule(table, RULES[2]), RULES[3]];
    expect(pairList(generatePairs(table, mixed, { mode: 'dedupe' }))).toEqual(pairList(generatePairs(table, RULES, { mode: 'dedupe' })));
  });

  it('recompile a rule that was compiled on another table', () => {
    const small = buildTable(people(9, 40));
    const large = buildTable(people(10, 200));
    const compiledOnSmall = RULES.map((rule) => compileBlockingRule(small, rule));
    expect(countRulePairs(large, compiledOnSmall, 'dedupe')).toEqual(countRulePairs(large, RULES, 'dedupe'));
    expect(pairList(generatePairs(large, compiledOnSmall, { mode: 'dedupe' }))).toEqual(
      pairList(generatePairs(large, RULES, { mode: 'dedupe' })),
    );
  });

  it('leave the compiled rules usable for covers() after generation', () => {
    const table = buildTable(people(11, 150));
    const compiled = compileBlockingRule(table, RULES[0]);
    const before = Array.from({ length: 150 }, (_, r) => compiled.covers(r, (r * 7 + 3) % 150));
    generatePairs(table, [compiled, compileBlockingRule(table, RULES[1])], { mode: 'dedupe' });
    expect(Array.from({ length: 150 }, (_, r) => compiled.covers(r, (r * 7 + 3) % 150))).toEqual(before);
  });
});

describe('unordered key rules with two to four parts', () => {
  // A multiset of present parts is the key; any missing part means no key.
  function multisetKey(record: TestRecord, columns: readonly string[]): string | undefined {
    const values = columns.map((column) => record[column]);
    if (values.some((value) => value === undefined || value === '')) return undefined;
    return (values as string[]).sort().join('|');
  }

  for (const columns of [['given', 'family'], ['given', 'family', 'middle'], ['given', 'family', 'middle', 'dob']]) {
    it(`pairs records whose ${columns.length} parts agree as a multiset`, () => {
      const records = people(columns.length, 200);
      const table = buildTable(records);
      const rule: BlockingRule = { kind: 'key', unordered: true, keys: columns.map((column) => ({ column })) };
      const compiled = compileBlockingRule(table, rule);
      let expected = 0;
      for (let i = 0; i < records.length; i++) {
        for (let j = i + 1; j < records.length; j++) {
          const a = multisetKey(records[i], columns);
          const same = a !== undefined && a === multisetKey(records[j], columns);
          if (same) expected++;
          expect(compiled.covers(i, j)).toBe(same);
        }
      }
      expect(generatePairs(table, [rule], { mode: 'dedupe' }).count).toBe(expected);
    });
  }
});

describe('combineRecordKeys', () => {
  function lexicographicReference(a: RecordKeys, b: RecordKeys): { ids: number[]; order: number[] } {
    const present = Array.from(a.ids.keys()).filter((r) => a.ids[r] !== 0 && b.ids[r] !== 0);
    present.sort((r, s) => a.ids[r] - a.ids[s] || b.ids[r] - b.ids[s] || r - s);
    const ids = new Array<number>(a.ids.length).fill(0);
    let count = 0;
    present.forEach((r, i) => {
      const prev = present[i - 1];
      if (i === 0 || a.ids[r] !== a.ids[prev] || b.ids[r] !== b.ids[prev]) count++;
      ids[r] = count;
    });
    return { ids, order: present };
  }

  // Small key spaces are packed into one 32-bit sort key; large ones (bits of a + bits of b > 32) take two sorts.
  for (const [aCount, bCount] of [
    [3, 5],
    [2000, 70_000],
    [65_535, 65_535],
    [70_000, 70_000],
    [5_000_000, 3_000],
  ]) {
    it(`numbers (a, b) lexicographically and orders records by (key, row) (${aCount} x ${bCount} key ids)`, () => {
      const random = seededRandom(aCount + bCount);
      const n = 3000;
      // Few distinct values drawn from the whole id range, so keys repeat.
      const aValues = Array.from({ length: 40 }, () => 1 + Math.floor(random() * aCount));
      const bValues = Array.from({ length: 40 }, () => 1 + Math.floor(random() * bCount));
      aValues.push(aCount);
      bValues.push(bCount);
      const a: RecordKeys = { ids: Uint32Array.from({ length: n }, () => (random() < 0.1 ? 0 : pick(random, aValues))), count: aCount };
      const b: RecordKeys = { ids: Uint32Array.from({ length: n }, () => (random() < 0.1 ? 0 : pick(random, bValues))), count: bCount };
      const combined = combineRecordKeys(a, b);
      const expected = lexicographicReference(a, b);
      expect(Array.from(combined.ids)).toEqual(expected.ids);
      expect(Array.from(combined.order!)).toEqual(expected.order);
      expect(combined.count).toBe(Math.max(0, ...expected.ids));
    });
  }
});
