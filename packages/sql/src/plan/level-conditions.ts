import type { LevelTest } from '@mpi/scoring';
import { and, call, column, compare, FALSE, guarded, num, or, TRUE, type Expr } from './expression.js';

/**
 * The declarative form of a level test on one pair of value columns: `left` of
 * the left record against `right` of the right record (the same column, or two
 * value columns of a multi-valued comparison). The same definitions as the
 * in-process kernels of @mpi/scoring (level-tests.ts); test/level-conditions.test.ts
 * evaluates both on the same value pairs and requires them to agree.
 * `swapped` and `crossMatch` read another column: see {@link crossColumnCondition}.
 */
export function valueCondition(test: LevelTest, left: string, right: string): Expr {
  const a = column('left', left);
  const b = column('right', right);
  const equal = compare('=', a, b);
  const both = (feature: Parameters<typeof column>[2]) => [column('left', left, feature), column('right', right, feature)] as const;
  switch (test.type) {
    case 'null':
    case 'swapped':
    case 'crossMatch':
      return FALSE;
    case 'else':
      return TRUE;
    case 'exact':
      return equal;
    case 'nickname':
      return or(equal, call('listsOverlap', ...both('nicknames')));
    case 'jaroWinkler':
      return or(equal, jaroWinklerAtLeast(a, b, test.threshold));
    case 'levenshtein':
    case 'damerauLevenshtein':
      // Distance 1 (every default level): a test the engine can answer without the distance.
      if (test.maxDistance === 1) return or(equal, call(test.type === 'levenshtein' ? 'withinOneEdit' : 'withinOneEditOrSwap', a, b));
      // Lengths further apart than the distance cannot be within it: the costly
      // distance is computed only for the pairs that can (most blocked pairs of
      // address lines cannot).
      return or(
        equal,
        guarded(
          compare('<=', call('abs', { op: 'minus', a: call('length', a), b: call('length', b) }), num(test.maxDistance)),
          compare('<=', call(test.type, a, b), num(test.maxDistance)),
        ),
      );
    case 'doubleMetaphone': {
      // The codes overlap: some code of one equals some code of the other (an empty code is NULL: never equal).
      const codes = (side: 'left' | 'right', name: string) => [column(side, name, 'metaphonePrimary'), column(side, name, 'metaphoneSecondary')];
      return or(equal, ...codes('left', left).flatMap((x) => codes('right', right).map((y) => compare('=', x, y))));
    }
    case 'initial':
      return or(isInitialOf(a, b), isInitialOf(b, a));
    case 'dateTransposed': {
      const [yearA, yearB] = both('year');
      const [monthA, monthB] = both('month');
      const [dayA, dayB] = both('day');
      return and(compare('=', yearA, yearB), compare('=', monthA, dayB), compare('=', dayA, monthB), compare('<>', a, b));
    }
    case 'dateWithinDays': {
      const [dayA, dayB] = both('dayNumber');
      return or(equal, compare('<=', call('abs', { op: 'minus', a: dayA, b: dayB }), num(test.days)));
    }
    case 'dateYearOffByOne': {
      const [yearA, yearB] = both('year');
      const [monthA, monthB] = both('month');
      const [dayA, dayB] = both('day');
      return and(compare('=', monthA, monthB), compare('=', dayA, dayB), compare('=', call('abs', { op: 'minus', a: yearA, b: yearB }), num(1)));
    }
    case 'dateOneDigit':
      // Same length and one substitution: a Levenshtein distance of 1 between equal lengths.
      return guarded(compare('=', call('length', a), call('length', b)), compare('=', call('levenshtein', a, b), num(1)));
    case 'prefix': {
      const n = num(test.length);
      return and(compare('>=', call('length', a), n), compare('>=', call('length', b), n), compare('=', call('prefix', a, n), call('prefix', b, n)));
    }
    case 'tokenOverlap':
      return or(equal, compare('>=', call('tokenJaccard', ...both('tokens')), num(test.threshold)));
  }
}

/**
 * Jaro-Winkler(a, b) >= threshold, computed only where the lengths allow it: at
 * most min(|a|, |b|) characters match, so Jaro <= (2 + short / long) / 3 and
 * Jaro-Winkler <= Jaro + 0.4 (1 - Jaro) (4 prefix characters at scale 0.1). The
 * guard keeps a margin of 1e-9 so rounding never drops a pair that reaches it.
 */
function jaroWinklerAtLeast(a: Expr, b: Expr, threshold: number): Expr {
  // Jaro-Winkler bound >= t  <=>  0.6 Jaro + 0.4 >= t  <=>  (2 + s/l) / 3 >= (t - 0.4) / 0.6  <=>  s / l >= (t - 0.4) / 0.2 - 2.
  const ratio = (threshold - 0.4) / 0.2 - 2 - 1e-9;
  const test = compare('>=', call('jaroWinkler', a, b), num(threshold));
  if (ratio <= 0) return test;
  const short = call('least', call('length', a), call('length', b));
  const long = call('greatest', call('length', a), call('length', b));
  return guarded(compare('>=', short, { op: 'times', a: num(ratio), b: long }), test);
}

/** `initial` is one character and `value` starts with it. */
function isInitialOf(initial: Expr, value: Expr): Expr {
  return and(compare('=', call('length', initial), num(1)), compare('=', call('prefix', value, num(1)), initial));
}

/**
 * The declarative form of `swapped` and `crossMatch`: `column` of each record
 * against `other` of the other record, equal or (with a threshold) Jaro-Winkler
 * close; both ways for `swapped`, either way for `crossMatch`. Missing values
 * are NULL, so a comparison with one is never true, as in compileSwappedTest.
 */
export function crossColumnCondition(test: Extract<LevelTest, { type: 'swapped' | 'crossMatch' }>, columnName: string): Expr {
  const close = (x: Expr, y: Expr): Expr => (test.threshold === undefined ? compare('=', x, y) : jaroWinklerAtLeast(x, y, test.threshold));
  const leftToRight = close(column('left', columnName), column('right', test.other));
  const rightToLeft = close(column('right', columnName), column('left', test.other));
  return test.type === 'swapped' ? and(leftToRight, rightToLeft) : or(leftToRight, rightToLeft);
}
