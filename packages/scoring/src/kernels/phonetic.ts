import { doubleMetaphone } from 'double-metaphone';

/** Primary and secondary Double Metaphone codes of a value ('' when it has none). */
export function doubleMetaphoneCodes(value: string): readonly [string, string] {
  return doubleMetaphone(value);
}

/** Whether two values share a non-empty Double Metaphone code (primary or secondary). */
export function sharesDoubleMetaphone(a: readonly [string, string], b: readonly [string, string]): boolean {
  const [a1, a2] = a;
  const [b1, b2] = b;
  return (a1 !== '' && (a1 === b1 || a1 === b2)) || (a2 !== '' && (a2 === b1 || a2 === b2));
}
