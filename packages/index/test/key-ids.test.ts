// Key ids as the index's file stores them (key-ids.ts): a sorted text searched in
// place, with the keys set since merged in on the next write.
import { describe, expect, it } from 'vitest';
import { KeyIds } from '../src/key-ids.js';

const keysOf = (ids: KeyIds, names: readonly string[]) => Object.fromEntries(names.map((name) => [name, ids.get(name)]));

describe('key ids', () => {
  const first = new Map([['SM0\u0000JN', 1], ['ÉLODIE', 2], ['1970', 3], ['ab', 4], ['a', 5], ['😀x', 6]]);

  it('find every key, and no other, once stored sorted and read back', () => {
    const stored = KeyIds.of(new Map(first)).sortedKeys();
    expect([...stored.ids].map((id) => [...first].find(([, i]) => i === id)![0])).toEqual([...first.keys()].sort());
    const read = KeyIds.fromSorted(stored);
    expect(keysOf(read, [...first.keys()])).toEqual(Object.fromEntries(first));
    for (const absent of ['', 'A', 'aa', 'ac', 'SM0', '1970\u0000', 'zzz']) expect(read.get(absent)).toBeUndefined();
  });

  it('merge the keys set since into the sorted ones, a key set again taking its new id', () => {
    const read = KeyIds.fromSorted(KeyIds.of(new Map(first)).sortedKeys());
    const later = new Map([['b', 7], ['0', 8], ['ab', 9], ['zz', 10]]);
    for (const [key, id] of later) read.set(key, id);
    const expected = Object.fromEntries([...first, ...later]);
    expect(keysOf(read, Object.keys(expected))).toEqual(expected);
    const merged = read.sortedKeys();
    expect(merged.ids.length).toBe(Object.keys(expected).length);
    const again = KeyIds.fromSorted(merged);
    expect(keysOf(again, Object.keys(expected))).toEqual(expected);
    expect(keysOf(read, Object.keys(expected))).toEqual(expected);
  });
});
