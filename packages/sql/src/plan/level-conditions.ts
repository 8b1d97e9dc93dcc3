import type { LevelTest } from '@mpi/scoring';
import { and, call, column, compare, FALSE, num, or, TRUE, type Expr } from './expression.js';

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
      return or(equal, compare('>=', call('jaroWinkler', a, b), num(test.threshold)));
    case 'levenshtein':
      return or(equal, compare('<=', call('levenshtein', a, b), num(test.maxDistance)));
    case 'damerauLevenshtein':
      return or(equal, compare('<=', call('damerauLevenshtein', a, b), num(test.maxDistance)));
    case 'doubleMetaphone':
      return or(equal, call('listsOverlap', ...both('metaphone')));
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
      return and(compare('=', call('length', a), call('length', b)), compare('=', call('levenshtein', a, b), num(1)));
    case 'prefix': {
      const n = num(test.length);
      return and(compare('>=', call('length', a), n), compare('>=', call('length', b), n), compare('=', call('prefix', a, n), call('prefix', b, n)));
    }
    case 'tokenOverlap':
      return or(equal, compare('>=', call('tokenJaccard', ...both('tokens')), num(test.threshold)));
  }
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
  const close = (x: Expr, y: Expr): Expr =>
    test.threshold === undefined ? compare('=', x, y) : compare('>=', call('jaroWinkler', x, y), num(test.threshold));
  const leftToRight = close(column('left', columnName), column('right', test.other));
  const rightToLeft = close(column('right', columnName), column('left', test.other));
  return test.type === 'swapped' ? and(leftToRight, rightToLeft) : or(leftToRight, rightToLeft);
}
