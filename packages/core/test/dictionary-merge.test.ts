import { describe, expect, it } from 'vitest';
import { mergeHashOrdered, orderByHash, valueHash } from '../src/read/dictionary-merge.js';

/** Two distinct values with the same 32-bit hash, found among v0, v1, ... (a few exist below 200k). */
function collidingPair(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const value = `v${i}`;
    const other = seen.get(valueHash(value));
    if (other !== undefined) return [other, value];
    seen.set(valueHash(value), value);
  }
}

const [clashA, clashB] = collidingPair();

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const out = [...values];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A part as a read worker has it: a dictionary ('' first) and its records' ids. */
function part(values: readonly string[], seed: number) {
  const dictionary = ['', ...shuffled(values, seed)];
  const ids = Uint32Array.from({ length: 300 }, (_, r) => (r * 7 + seed) % dictionary.length);
  return { dictionary, ids };
}

function isHashOrdered(dictionary: readonly string[], hashes: Uint32Array): boolean {
  for (let i = 2; i < dictionary.length; i++) {
    if (hashes[i - 1] > hashes[i] || (hashes[i - 1] === hashes[i] && !(dictionary[i - 1] < dictionary[i]))) return false;
  }
  return true;
}

describe('merging the dictionaries of parts read in worker threads', () => {
  it('finds a real hash collision to test with', () => {
    expect(clashA).not.toBe(clashB);
    expect(valueHash(clashA)).toBe(valueHash(clashB));
  });

  for (const packedIds of [2 ** 21, 0]) {
    it(`orders a dictionary by (hash, value) and renumbers ids to the same values (${packedIds ? 'packed keys' : 'callback sort'})`, () => {
      const values = [clashB, 'smith', 'jones', clashA, 'josé', '12 main street', 'a', 'b'];
      const { dictionary, ids } = part(values, 3);
      const before = Array.from(ids, (id) => dictionary[id]);
      const ordered = orderByHash(dictionary, ids, packedIds);
      expect(ordered.dictionary[0]).toBe('');
      expect([...ordered.dictionary].sort()).toEqual([...dictionary].sort());
      expect(Array.from(ids, (id) => ordered.dictionary[id])).toEqual(before);
      expect(Array.from(ordered.hashes.subarray(1))).toEqual(ordered.dictionary.slice(1).map(valueHash));
      expect(isHashOrdered(ordered.dictionary, ordered.hashes)).toBe(true);
    });
  }

  it('merges parts into each distinct value once, mapping every part id to the same value', () => {
    const common = ['smith', clashA, 'jones', '1980-01-01'];
    const parts = [part([...common, 'only-a', clashB], 1), part([...common, 'only-b'], 2), part([clashB], 3), part([], 4)].map((p) => ({ ...p, ...orderByHash(p.dictionary, p.ids) }));
    const { dictionary, remaps } = mergeHashOrdered(parts);
    expect(dictionary[0]).toBe('');
    expect([...dictionary].sort()).toEqual(['', '1980-01-01', clashA, clashB, 'jones', 'only-a', 'only-b', 'smith'].sort());
    parts.forEach((p, k) => {
      expect(remaps[k][0]).toBe(0);
      for (let id = 0; id < p.dictionary.length; id++) expect(dictionary[remaps[k][id]]).toBe(p.dictionary[id]);
    });
  });
});
