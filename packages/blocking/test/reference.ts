// A deliberately naive, independent model of blocking used as the oracle in tests:
// string keys per record, an O(n^2) scan of every pair.
import { applyKeyTransform, type BlockingRule, type LinkMode } from '../src/index.js';
import type { TestRecord } from './table-builder.js';

function keyTuple(record: TestRecord, rule: BlockingRule): string[] | undefined {
  const tuple: string[] = [];
  for (const part of rule.keys) {
    const key = applyKeyTransform(record[part.column] ?? '', part.transform ?? 'exact');
    if (key === '') return undefined;
    tuple.push(key);
  }
  return tuple;
}

function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** covers(left, right) of one rule, computed the slow way. */
export function referenceCovers(records: readonly TestRecord[], rule: BlockingRule): (l: number, r: number) => boolean {
  const tuples = records.map((record) => keyTuple(record, rule));
  if (rule.kind === 'key') {
    return (l, r) => {
      const a = tuples[l];
      const b = tuples[r];
      return a !== undefined && b !== undefined && compareTuples(a, b) === 0;
    };
  }
  const keyed = records.map((_, row) => row).filter((row) => tuples[row] !== undefined);
  keyed.sort((a, b) => compareTuples(tuples[a]!, tuples[b]!) || a - b);
  const rank = new Map(keyed.map((row, position) => [row, position]));
  return (l, r) => {
    const a = rank.get(l);
    const b = rank.get(r);
    return a !== undefined && b !== undefined && Math.abs(a - b) < rule.window;
  };
}

function inScope(sources: readonly number[], mode: LinkMode, l: number, r: number): boolean {
  return mode !== 'link' || sources[l] !== sources[r];
}

/** Pairs ("l,r") each rule produces alone, in scope for the mode. */
export function referenceRulePairs(
  records: readonly TestRecord[],
  sources: readonly number[],
  rules: readonly BlockingRule[],
  mode: LinkMode,
): Set<string>[] {
  return rules.map((rule) => {
    const covers = referenceCovers(records, rule);
    const pairs = new Set<string>();
    for (let l = 0; l < records.length; l++) {
      for (let r = l + 1; r < records.length; r++) {
        if (inScope(sources, mode, l, r) && covers(l, r)) pairs.add(`${l},${r}`);
      }
    }
    return pairs;
  });
}
