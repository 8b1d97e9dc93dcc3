import { describe, expect, it } from 'vitest';
import {
  blockingRuleName,
  compileBlockingRule,
  countRulePairs,
  generatePairs,
  InvalidBlockingRuleError,
  UnknownBlockingColumnError,
  type BlockingRule,
} from '../src/index.js';
import { buildTable } from './table-builder.js';

const table = buildTable([
  { family_name: 'smith', birth_date: '19840317' },
  { family_name: 'smyth', birth_date: '19841111' },
  { family_name: 'jones', birth_date: '19840317' },
  { family_name: undefined, birth_date: '19840317' },
]);

describe('compileBlockingRule', () => {
  it('a key rule covers two records whose every key part is present and equal', () => {
    const rule = compileBlockingRule(table, {
      kind: 'key',
      keys: [{ column: 'family_name', transform: 'doubleMetaphone' }, { column: 'birth_date', transform: 'year' }],
    });
    expect(rule.name).toBe('family_name:doubleMetaphone & birth_date:year');
    expect(rule.columns).toEqual(['family_name', 'birth_date']);
    expect(rule.covers(0, 1)).toBe(true);
    expect(rule.covers(1, 0)).toBe(true);
    expect(rule.covers(0, 2)).toBe(false);
    expect(rule.covers(0, 3)).toBe(false);
    expect(rule.covers(3, 3)).toBe(false);
  });

  it('an unordered key rule pairs records whose key parts agree in either order (swapped names)', () => {
    const names = buildTable([
      { given_name: 'luke', family_name: 'gazzola' },
      { given_name: 'gazzola', family_name: 'luke' },
      { given_name: 'luke', family_name: 'gazola' },
      { given_name: 'luke', family_name: 'luke' },
      { given_name: 'luke', family_name: undefined },
    ]);
    const rule: BlockingRule = {
      kind: 'key',
      unordered: true,
      keys: [{ column: 'given_name', transform: 'doubleMetaphone' }, { column: 'family_name', transform: 'doubleMetaphone' }],
    };
    const compiled = compileBlockingRule(names, rule);
    expect(compiled.covers(0, 1)).toBe(true);
    expect(compiled.covers(0, 2)).toBe(true); // gazola and gazzola share a Double Metaphone code
    expect(compiled.covers(0, 3)).toBe(false); // {luke, luke} is not {luke, gazzola}
    expect(compiled.covers(3, 4)).toBe(false); // a missing part means no key
    expect(countRulePairs(names, [rule], 'dedupe')).toEqual([3]);
    const ordered = compileBlockingRule(names, { ...rule, unordered: false });
    expect(ordered.covers(0, 1)).toBe(false);
  });

  it('a sorted-neighbourhood rule covers records less than window apart in key order', () => {
    // order by (family_name, row): jones(2) smith(0) smyth(1); record 3 has no key
    const rule = compileBlockingRule(table, { kind: 'sortedNeighbourhood', keys: [{ column: 'family_name' }], window: 2 });
    expect(rule.name).toBe('sn(family_name, window 2)');
    expect(rule.covers(2, 0)).toBe(true);
    expect(rule.covers(0, 1)).toBe(true);
    expect(rule.covers(2, 1)).toBe(false);
    expect(rule.covers(3, 2)).toBe(false);
  });

  it('names an unknown column and the rule, in compile, count and generate', () => {
    const rule: BlockingRule = { kind: 'key', name: 'by postcode', keys: [{ column: 'postcode' }] };
    expect(() => compileBlockingRule(table, rule)).toThrow(UnknownBlockingColumnError);
    expect(() => compileBlockingRule(table, rule)).toThrow(/'by postcode'.*'postcode'/);
    expect(() => countRulePairs(table, [rule], 'dedupe')).toThrow(UnknownBlockingColumnError);
    expect(() => generatePairs(table, [rule], { mode: 'dedupe' })).toThrow(UnknownBlockingColumnError);
  });

  it('rejects empty keys, unknown transforms and windows below 2', () => {
    const bad = [
      { kind: 'key', keys: [] },
      { kind: 'key', keys: [{ column: 'family_name', transform: 'metaphone' }] },
      { kind: 'key', keys: [{ column: 'family_name', transform: 'prefix:0' }] },
      { kind: 'sortedNeighbourhood', keys: [{ column: 'family_name' }], window: 1 },
      { kind: 'sortedNeighbourhood', keys: [{ column: 'family_name' }], window: 2.5 },
      { kind: 'blocks', keys: [{ column: 'family_name' }] },
    ] as unknown as BlockingRule[];
    for (const rule of bad) expect(() => compileBlockingRule(table, rule)).toThrow(InvalidBlockingRuleError);
  });

  it('keeps record values out of error messages', () => {
    const attempts: BlockingRule[] = [
      { kind: 'key', keys: [{ column: 'family_name', transform: 'bogus' as never }] },
      { kind: 'key', keys: [{ column: 'given_name' }] },
      { kind: 'sortedNeighbourhood', keys: [{ column: 'birth_date' }], window: 0 },
    ];
    for (const rule of attempts) {
      expect(() => compileBlockingRule(table, rule)).toThrow();
      try {
        compileBlockingRule(table, rule);
      } catch (e) {
        expect((e as Error).message).not.toMatch(/smith|smyth|jones|1984/);
      }
    }
  });
});

describe('blockingRuleName', () => {
  it('uses the given name, or describes the key', () => {
    expect(blockingRuleName({ kind: 'key', name: 'phonetic surname', keys: [{ column: 'family_name' }] })).toBe('phonetic surname');
    expect(blockingRuleName({ kind: 'key', keys: [{ column: 'postcode', transform: 'prefix:3' }, { column: 'sex' }] })).toBe(
      'postcode:prefix:3 & sex',
    );
    expect(
      blockingRuleName({ kind: 'sortedNeighbourhood', keys: [{ column: 'family_name', transform: 'soundex' }], window: 5 }),
    ).toBe('sn(family_name:soundex, window 5)');
  });
});
