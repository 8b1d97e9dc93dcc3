import { describe, expect, it } from 'vitest';
import {
  countRulePairs,
  generatePairs,
  PairBudgetExceededError,
  totalPairs,
  type BlockingRule,
  type KeyTransform,
  type LinkMode,
} from '../src/index.js';
import { referenceRulePairs } from './reference.js';
import { buildTable, pairList, seededRandom, type TestRecord } from './table-builder.js';

const FAMILY = ['smith', 'smyth', 'smithe', 'jones', 'johns', 'brown', 'braun', 'van der berg', 'de la cruz'];
const GIVEN = ['ann', 'anne', 'mary ann', 'ann mary', 'john', 'jon', 'li'];
const DOB = ['19840317', '19840318', '19841203', '19790317', '2001', 'unknown', '19840317'];

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)];
}

function randomRecords(random: () => number, n: number): TestRecord[] {
  return Array.from({ length: n }, () => ({
    family: random() < 0.15 ? undefined : pick(random, FAMILY),
    given: random() < 0.15 ? undefined : pick(random, GIVEN),
    dob: random() < 0.1 ? undefined : pick(random, DOB),
  }));
}

const TRANSFORMS: Record<string, readonly KeyTransform[]> = {
  family: ['exact', 'doubleMetaphone', 'soundex', 'prefix:3', 'lastToken'],
  given: ['exact', 'firstToken', 'sortedTokens', 'prefix:1'],
  dob: ['exact', 'year', 'yearMonth', 'monthDay', 'suffix:2'],
};

function randomRule(random: () => number): BlockingRule {
  const columns = Object.keys(TRANSFORMS).filter(() => random() < 0.5);
  if (columns.length === 0) columns.push(pick(random, Object.keys(TRANSFORMS)));
  const keys = columns.map((column) => ({ column, transform: pick(random, TRANSFORMS[column]) }));
  return random() < 0.35
    ? { kind: 'sortedNeighbourhood', keys, window: 2 + Math.floor(random() * 4) }
    : { kind: 'key', keys };
}

const MODES: readonly LinkMode[] = ['dedupe', 'link', 'link_and_dedupe'];

describe('generatePairs against a brute-force model', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const mode = MODES[seed % MODES.length];
    it(`seed ${seed} (${mode}): the union of the rules, each pair once, attributed to the first rule`, () => {
      const random = seededRandom(seed);
      const records = randomRecords(random, 20 + Math.floor(random() * 60));
      const sources = records.map(() => Math.floor(random() * 3));
      const rules = Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomRule(random));
      const table = buildTable(records, sources);

      const alone = referenceRulePairs(records, sources, rules, mode);
      expect(countRulePairs(table, rules, mode)).toEqual(alone.map((pairs) => pairs.size));
      for (const [k, rule] of rules.entries()) {
        expect(generatePairs(table, [rule], { mode }).count).toBe(alone[k].size);
      }

      const result = generatePairs(table, rules, { mode, chunkSize: 7 });
      const pairs = pairList(result);
      expect(new Set(pairs).size).toBe(pairs.length);
      expect(result.count).toBe(pairs.length);
      for (const pair of pairs) {
        const [l, r] = pair.split(',').map(Number);
        expect(l).toBeLessThan(r);
        if (mode === 'link') expect(sources[l]).not.toBe(sources[r]);
      }

      const seen = new Set<string>();
      const expectedCounts = alone.map((rulePairs) => {
        let fresh = 0;
        for (const pair of rulePairs) {
          if (!seen.has(pair)) {
            seen.add(pair);
            fresh++;
          }
        }
        return fresh;
      });
      expect(new Set(pairs)).toEqual(seen);
      expect(result.countsByRule).toEqual(expectedCounts);
    });
  }
});

describe('generatePairs', () => {
  const records: TestRecord[] = [
    { family: 'smith', dob: '19840317' },
    { family: 'smyth', dob: '19840317' },
    { family: 'smith', dob: '19790101' },
    { family: undefined, dob: '19840317' },
    { family: 'jones', dob: undefined },
    { family: undefined, dob: undefined },
  ];
  const byName: BlockingRule = { kind: 'key', keys: [{ column: 'family', transform: 'doubleMetaphone' }] };
  const byDob: BlockingRule = { kind: 'key', keys: [{ column: 'dob' }] };

  it('pairs records whose keys are equal, attributing overlaps to the earlier rule', () => {
    const result = generatePairs(buildTable(records), [byName, byDob], { mode: 'dedupe' });
    expect(pairList(result)).toEqual(['0,1', '0,2', '1,2', '0,3', '1,3']);
    expect(result.countsByRule).toEqual([3, 2]);
    expect(result.count).toBe(5);
  });

  it('blocks together dictionary entries that are equal after normalization', () => {
    // Two raw spellings that normalized to the same value keep separate dictionary ids.
    const table = { size: 3, source: new Uint16Array(3), columns: { f: { dictionary: ['', 'smith', 'smith', 'jones'], ids: Uint32Array.from([1, 2, 3]) } } };
    expect(pairList(generatePairs(table, [{ kind: 'key', keys: [{ column: 'f' }] }], { mode: 'dedupe' }))).toEqual(['0,1']);
  });

  it('handles an empty table and an empty rule list', () => {
    const empty = { size: 0, source: new Uint16Array(0), columns: { f: { dictionary: [''], ids: new Uint32Array(0) } } };
    const rules: BlockingRule[] = [
      { kind: 'key', keys: [{ column: 'f' }] },
      { kind: 'sortedNeighbourhood', keys: [{ column: 'f' }], window: 3 },
    ];
    expect(generatePairs(empty, rules, { mode: 'link' })).toEqual({ count: 0, chunks: [], countsByRule: [0, 0] });
    expect(countRulePairs(empty, rules, 'link')).toEqual([0, 0]);
    expect(totalPairs(empty, 'link')).toBe(0);
    const result = generatePairs(buildTable([{ f: 'a' }, { f: 'a' }]), [], { mode: 'dedupe' });
    expect(result).toEqual({ count: 0, chunks: [], countsByRule: [] });
  });

  it('never pairs records on a missing value', () => {
    const table = buildTable([{ family: undefined }, { family: undefined }, { family: '' }, { family: 'li' }]);
    const rules: BlockingRule[] = [
      { kind: 'key', keys: [{ column: 'family' }] },
      { kind: 'sortedNeighbourhood', keys: [{ column: 'family' }], window: 4 },
    ];
    expect(generatePairs(table, rules, { mode: 'dedupe' }).count).toBe(0);
  });

  it('never pairs a record whose value yields no key (an unparseable date)', () => {
    const table = buildTable([{ dob: 'unknown' }, { dob: 'unknown' }, { dob: '19840317' }]);
    const result = generatePairs(table, [{ kind: 'key', keys: [{ column: 'dob', transform: 'year' }] }], { mode: 'dedupe' });
    expect(result.count).toBe(0);
  });

  it('in link mode pairs only records of different sources; dedupe modes pair all', () => {
    const table = buildTable([{ f: 'a' }, { f: 'a' }, { f: 'a' }, { f: 'a' }], [0, 0, 1, 2]);
    const rule: BlockingRule = { kind: 'key', keys: [{ column: 'f' }] };
    expect(pairList(generatePairs(table, [rule], { mode: 'link' }))).toEqual(['0,2', '0,3', '1,2', '1,3', '2,3']);
    expect(generatePairs(table, [rule], { mode: 'dedupe' }).count).toBe(6);
    expect(generatePairs(table, [rule], { mode: 'link_and_dedupe' }).count).toBe(6);
    expect(countRulePairs(table, [rule], 'link')).toEqual([5]);
  });

  it('pairs each record with the next window - 1 records in sorted-neighbourhood order', () => {
    const table = buildTable([{ f: 'd' }, { f: 'a' }, { f: 'c' }, { f: 'b' }, { f: undefined }, { f: 'a' }]);
    // order by (key, row): 1(a) 5(a) 3(b) 2(c) 0(d)
    const result = generatePairs(table, [{ kind: 'sortedNeighbourhood', keys: [{ column: 'f' }], window: 2 }], { mode: 'dedupe' });
    expect(pairList(result)).toEqual(['1,5', '3,5', '2,3', '0,2']);
  });

  it('stores pairs in SharedArrayBuffer-backed chunks of at most chunkSize pairs', () => {
    const table = buildTable(Array.from({ length: 30 }, (_, r) => ({ f: String(r % 3) })));
    const rule: BlockingRule = { kind: 'key', keys: [{ column: 'f' }] };
    const whole = generatePairs(table, [rule], { mode: 'dedupe' });
    const chunked = generatePairs(table, [rule], { mode: 'dedupe', chunkSize: 16 });
    expect(chunked.count).toBe(135);
    expect(chunked.chunks.length).toBe(Math.ceil(135 / 16));
    for (const chunk of chunked.chunks) {
      expect(chunk.left.length).toBeLessThanOrEqual(16);
      expect(chunk.left.length).toBe(chunk.right.length);
      expect(chunk.left.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(chunk.right.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
    expect(pairList(chunked)).toEqual(pairList(whole));
  });

  it('is deterministic: the same table and rules give the same pairs in the same order', () => {
    const random = seededRandom(99);
    const recs = randomRecords(random, 200);
    const rules: BlockingRule[] = [byName, { kind: 'sortedNeighbourhood', keys: [{ column: 'given' }, { column: 'dob' }], window: 3 }];
    const first = pairList(generatePairs(buildTable(recs), rules, { mode: 'dedupe' }));
    const second = pairList(generatePairs(buildTable(recs), rules, { mode: 'dedupe' }));
    expect(second).toEqual(first);
    // How the dictionary happens to be numbered may change the order of key blocks, never the pairs.
    const reorderedDictionary = {
      ...buildTable(recs),
      columns: Object.fromEntries(
        Object.entries(buildTable(recs).columns).map(([name, column]) => {
          const dictionary = ['', ...column.dictionary.slice(1).reverse()];
          const remap = column.dictionary.map((value) => (value === '' ? 0 : dictionary.indexOf(value)));
          return [name, { dictionary, ids: column.ids.map((id) => remap[id]) }];
        }),
      ),
    };
    const renumbered = generatePairs(reorderedDictionary, rules, { mode: 'dedupe' });
    expect(pairList(renumbered).sort()).toEqual([...first].sort());
    expect(renumbered.countsByRule).toEqual(generatePairs(buildTable(recs), rules, { mode: 'dedupe' }).countsByRule);
  });
});

describe('pair budget', () => {
  it('rejects a rule that alone exceeds maxPairs, naming it, before generating any pair', () => {
    // 200k records in one block would be 2e10 pairs: it only returns because nothing is generated.
    const n = 200_000;
    const table = {
      size: n,
      source: new Uint16Array(n),
      columns: {
        id: { dictionary: Array.from({ length: n + 1 }, (_, i) => (i === 0 ? '' : `p${i}`)), ids: Uint32Array.from({ length: n }, (_, r) => r + 1) },
        country: { dictionary: ['', 'gb'], ids: new Uint32Array(n).fill(1) },
      },
    };
    const rules: BlockingRule[] = [
      { kind: 'key', keys: [{ column: 'id' }] },
      { kind: 'key', name: 'same country', keys: [{ column: 'country' }] },
    ];
    let error: unknown;
    try {
      generatePairs(table, rules, { mode: 'dedupe', maxPairs: 1_000_000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PairBudgetExceededError);
    const budget = error as PairBudgetExceededError;
    expect(budget.rule).toBe('same country');
    expect(budget.count).toBe((n * (n - 1)) / 2);
    expect(budget.message).toContain('same country');
    expect(budget.message).toContain(String((n * (n - 1)) / 2));
    expect(budget.message).toMatch(/stricter blocking rule/);
    expect(budget.message).toMatch(/--max-pairs/);
    expect(budget.cumulative).toBe(false);
  });

  it('names what the budget was sized to when told', () => {
    const table = buildTable(Array.from({ length: 10 }, () => ({ a: 'x' })));
    const rules: BlockingRule[] = [{ kind: 'key', name: 'by a', keys: [{ column: 'a' }] }];
    expect(() => generatePairs(table, rules, { mode: 'dedupe', maxPairs: 40, budgetBasis: 'sized to 1.0 GiB of memory' })).toThrow(
      /over the budget of 40 pairs \(sized to 1\.0 GiB of memory\)/,
    );
  });

  it('counts an over-budget union without storing its pairs', () => {
    // Two rules of 2,498,500 pairs each (blocks of 2,000 and 1,000 records, shifted
    // by 1,000): each fits a budget of 3M, their union (3,498,500) does not.
    // Generating up to the budget before failing held 3M pairs (24 MB) at the error.
    const n = 3000;
    const table = buildTable(Array.from({ length: n }, (_, r) => ({ a: r < 2000 ? 'x' : 'y', b: r >= 1000 ? 'p' : 'q' })));
    const rules: BlockingRule[] = [
      { kind: 'key', name: 'by a', keys: [{ column: 'a' }] },
      { kind: 'key', name: 'by b', keys: [{ column: 'b' }] },
    ];
    expect(countRulePairs(table, rules, 'dedupe')).toEqual([1_999_000 + 499_500, 1_999_000 + 499_500]);
    const before = process.memoryUsage().arrayBuffers;
    let error: unknown;
    try {
      generatePairs(table, rules, { mode: 'dedupe', maxPairs: 3_000_000 });
    } catch (e) {
      error = e;
    }
    const held = process.memoryUsage().arrayBuffers - before;
    expect(error).toMatchObject({ name: 'PairBudgetExceededError', rule: 'by b', count: 3_498_500, cumulative: true });
    expect(held).toBeLessThan(1 << 20);
  });

  it('accepts overlapping rules whose union fits the budget even when their counts sum over it', () => {
    const table = buildTable(Array.from({ length: 10 }, () => ({ a: 'x', b: 'y' })));
    const rules: BlockingRule[] = [
      { kind: 'key', keys: [{ column: 'a' }] },
      { kind: 'key', keys: [{ column: 'b' }] },
    ];
    const result = generatePairs(table, rules, { mode: 'dedupe', maxPairs: 45 });
    expect(result.count).toBe(45);
    expect(result.countsByRule).toEqual([45, 0]);
  });

  it('rejects rules whose union exceeds the budget, naming the rule that crosses it', () => {
    const table = buildTable(Array.from({ length: 10 }, (_, r) => ({ a: r < 5 ? 'x' : 'y', b: r % 2 === 0 ? 'p' : 'q' })));
    const rules: BlockingRule[] = [
      { kind: 'key', name: 'by a', keys: [{ column: 'a' }] },
      { kind: 'key', name: 'by b', keys: [{ column: 'b' }] },
    ];
    // each rule alone: 20 pairs; union: 20 + 12 = 32
    expect(countRulePairs(table, rules, 'dedupe')).toEqual([20, 20]);
    expect(() => generatePairs(table, rules, { mode: 'dedupe', maxPairs: 30 })).toThrow(
      expect.objectContaining({ name: 'PairBudgetExceededError', rule: 'by b', count: 32 }),
    );
    expect(generatePairs(table, rules, { mode: 'dedupe', maxPairs: 32 }).count).toBe(32);
  });
});

describe('totalPairs', () => {
  it('is n(n-1)/2 for dedupe modes and the cross-source pairs for link', () => {
    const table = buildTable(Array.from({ length: 6 }, () => ({})), [0, 0, 0, 1, 1, 2]);
    expect(totalPairs(table, 'dedupe')).toBe(15);
    expect(totalPairs(table, 'link_and_dedupe')).toBe(15);
    // 15 - (3 + 1 + 0) same-source pairs
    expect(totalPairs(table, 'link')).toBe(11);
  });
});
