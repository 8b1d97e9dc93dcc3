import { doubleMetaphone } from 'double-metaphone';

/** Primary and secondary Double Metaphone codes of a value ('' when it has none). */
export function doubleMetaphoneCodes(value: string): readonly [string, string] {
  return doubleMetaphone(value);
}

/** Whether two values share a non-empty Double Metaphone code (primary or secondary). */
export function sharesDoubleMetaphone(a: readonly [string, string], b: readonly [string, string]): boolean {
  return sharesCode(a[0], a[1], b[0], b[1], '');
}

/**
 * Whether a value with codes (a1, a2) and one with (b1, b2) share a code other
 * than `none`: the test of sharesDoubleMetaphone, for codes as strings or as ids.
 */
export function sharesCode<T>(a1: T, a2: T, b1: T, b2: T, none: T): boolean {
  return (a1 !== none && (a1 === b1 || a1 === b2)) || (a2 !== none && (a2 === b1 || a2 === b2));
}
