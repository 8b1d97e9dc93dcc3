import type { ColumnValues } from './column-values.js';
import { isOneCharacterOff } from './kernels/dates.js';
import { damerauLevenshteinWithin, levenshteinWithin } from './kernels/edit-distance.js';
import { jaroWinklerAtLeast, maxJaroMatches } from './kernels/jaro-winkler.js';
import { tokenOverlap } from './kernels/tokens.js';
import { sharesGroup } from './nicknames.js';
import type { LevelTest } from './types.js';

/**
 * A level test on the two (non-missing) dictionary ids of a pair within one column.
 * Symmetric: test(a, b) === test(b, a).
 */
export type ValueTest = (a: number, b: number) => boolean;

/** A level test on the two records of a pair (for tests that read another column). */
export type RecordTest = (left: number, right: number) => boolean;

/**
 * Compiles a level test that depends only on the pair's two values of the column.
 * `swapped` reads another column and is compiled by {@link compileSwappedTest};
 * `null` never holds for two present values.
 */
export function compileValueTest(test: LevelTest, values: ColumnValues): ValueTest {
  const dictionary = values.dictionary;
  switch (test.type) {
    case 'null':
    case 'swapped':
    case 'crossMatch':
      return () => false;
    case 'else':
      return () => true;
    case 'exact':
      return (a, b) => a === b;
    case 'nickname':
      return (a, b) => a === b || sharesGroup(values.nicknameGroups(a), values.nicknameGroups(b));
    case 'jaroWinkler': {
      const threshold = test.threshold;
      const masks = values.characterMasks();
      return (a, b) => {
        if (a === b) return true;
        const x = dictionary[a];
        const y = dictionary[b];
        return jaroWinklerAtLeast(x, y, threshold, maxJaroMatches(x.length, masks[a], y.length, masks[b]));
      };
    }
    case 'levenshtein': {
      const max = test.maxDistance;
      return (a, b) => a === b || levenshteinWithin(dictionary[a], dictionary[b], max);
    }
    case 'damerauLevenshtein': {
      const max = test.maxDistance;
      return (a, b) => a === b || damerauLevenshteinWithin(dictionary[a], dictionary[b], max);
    }
    case 'doubleMetaphone':
      return (a, b) => a === b || values.sharesDoubleMetaphone(a, b);
    case 'initial':
      return (a, b) => isInitialOf(dictionary[a], dictionary[b]) || isInitialOf(dictionary[b], dictionary[a]);
    // Date tests read the column's dates parsed once per distinct value; the string
    // helpers in kernels/dates.ts define the same tests and a test checks they agree.
    case 'dateTransposed': {
      const { year, month, day } = values.parsedDates();
      return (a, b) => year[a] >= 0 && year[a] === year[b] && month[a] === day[b] && day[a] === month[b] && a !== b;
    }
    case 'dateWithinDays': {
      const days = test.days;
      const { dayNumber } = values.parsedDates();
      return (a, b) => a === b || Math.abs(dayNumber[a] - dayNumber[b]) <= days;
    }
    case 'dateYearOffByOne': {
      const { year, month, day } = values.parsedDates();
      return (a, b) => year[a] >= 0 && year[b] >= 0 && month[a] === month[b] && day[a] === day[b] && Math.abs(year[a] - year[b]) === 1;
    }
    case 'dateOneDigit':
      return (a, b) => isOneCharacterOff(dictionary[a], dictionary[b]);
    case 'prefix': {
      const length = test.length;
      return (a, b) => {
        const x = dictionary[a];
        const y = dictionary[b];
        if (x.length < length || y.length < length) return false;
        // Char codes, not startsWith(slice): no string per pair.
        for (let i = 0; i < length; i++) if (x.charCodeAt(i) !== y.charCodeAt(i)) return false;
        return true;
      };
    }
    case 'tokenOverlap': {
      const threshold = test.threshold;
      const masks = values.tokenMasks();
      // Without a shared token the similarity is 0 (only a threshold <= 0 accepts that).
      return (a, b) => a === b || ((masks[a] & masks[b]) === 0 ? threshold <= 0 : tokenOverlap(dictionary[a], dictionary[b]) >= threshold);
    }
  }
}

/** `initial` is a single letter and `value` starts with it. */
function isInitialOf(initial: string, value: string): boolean {
  return initial.length === 1 && value.length >= 1 && value.charCodeAt(0) === initial.charCodeAt(0);
}

/** Per id of `values`, the id of the same string in `other` (0: none): a one-off translation, no string work per pair. */
function translateIds(values: ColumnValues, other: ColumnValues): Uint32Array {
  const otherIdOf = new Map<string, number>();
  for (let id = 1; id < other.dictionary.length; id++) otherIdOf.set(other.dictionary[id], id);
  const translate = new Uint32Array(values.dictionary.length);
  for (let id = 1; id < values.dictionary.length; id++) translate[id] = otherIdOf.get(values.dictionary[id]) ?? 0;
  return translate;
}

/**
 * Compiles a test that reads another column: `swapped` (this column of each
 * record equals, or with a threshold is Jaro-Winkler close to, the `other`
 * column of the other record) and `crossMatch` (equal, or with a threshold
 * Jaro-Winkler close, in at least one direction).
 * Exact tests compare ids across the two dictionaries through a one-off translation.
 */
export function compileSwappedTest(values: ColumnValues, other: ColumnValues, test?: LevelTest): RecordTest {
  const ids = values.ids;
  const otherIds = other.ids;
  if ((test?.type === 'swapped' || test?.type === 'crossMatch') && test.threshold !== undefined) {
    const threshold = test.threshold;
    const mine = values.dictionary;
    const theirs = other.dictionary;
    // This column's value id `a` against the other column's value id `b`.
    const myMasks = values.characterMasks();
    const theirMasks = other.characterMasks();
    const close = (a: number, b: number) => {
      if (a === 0 || b === 0) return false;
      const x = mine[a];
      const y = theirs[b];
      return jaroWinklerAtLeast(x, y, threshold, maxJaroMatches(x.length, myMasks[a], y.length, theirMasks[b]));
    };
    // swapped: close in both directions; crossMatch: in at least one.
    return test.type === 'swapped'
      ? (left, right) => close(ids[left], otherIds[right]) && close(ids[right], otherIds[left])
      : (left, right) => close(ids[left], otherIds[right]) || close(ids[right], otherIds[left]);
  }
  const translate = translateIds(values, other);
  if (test?.type === 'crossMatch') {
    return (left, right) => {
      const l = translate[ids[left]];
      const r = translate[ids[right]];
      return (l !== 0 && l === otherIds[right]) || (r !== 0 && r === otherIds[left]);
    };
  }
  return (left, right) => {
    const l = translate[ids[left]];
    const r = translate[ids[right]];
    return l !== 0 && r !== 0 && l === otherIds[right] && r === otherIds[left];
  };
}
