// Merging the dictionaries of parts read in worker threads. Re-interning every
// distinct value of every part into one Map on the main thread was the largest
// serial step of reading at scale: 2.4-2.6 s of the ~3 s merge of the 1M-record
// population (3.5M part values; hashing fresh strings and inserting into Maps of
// up to a million entries). Instead each worker orders its dictionaries by
// (hash, value), a numeric sort, and the main thread merges the ordered lists,
// comparing hashes and touching strings only where hashes are equal.

import { range } from './record-order.js';

/** A dictionary (entry 0 is '', the missing value) whose other entries are ordered by (hash, value). */
export interface HashOrderedDictionary {
  readonly dictionary: readonly string[];
  /** valueHash of each entry (0 for entry 0). */
  readonly hashes: Uint32Array;
}

/** 32-bit FNV-1a of the UTF-16 code units, then murmur3's finaliser so low and high bits both mix. */
export function valueHash(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Ids below this fit beside a 32-bit hash in one exactly represented float64 sort key. */
const PACKED_IDS = 2 ** 21;

/**
 * Reorders a dictionary by (hash, value), entry 0 staying first, and renumbers
 * `ids` (in place) to match. Values must be distinct.
 * @param packedIds dictionaries up to this size sort packed numeric keys (tests
 * lower it to reach the callback sort that larger ones use).
 */
export function orderByHash(dictionary: readonly string[], ids: Uint32Array, packedIds = PACKED_IDS): HashOrderedDictionary {
  const n = dictionary.length;
  const hashOf = new Uint32Array(n);
  for (let id = 1; id < n; id++) hashOf[id] = valueHash(dictionary[id]);
  const order = n <= packedIds ? orderByPackedKey(hashOf) : orderByCallback(hashOf);
  // Equal hashes (distinct values) are ordered by value, so every part orders them alike.
  for (let start = 1; start < n; ) {
    let end = start + 1;
    while (end < n && hashOf[order[end]] === hashOf[order[start]]) end++;
    if (end - start > 1) order.subarray(start, end).sort((a, b) => (dictionary[a] < dictionary[b] ? -1 : 1));
    start = end;
  }
  const newId = new Uint32Array(n);
  const sorted = new Array<string>(n);
  const hashes = new Uint32Array(n);
  for (let position = 0; position < n; position++) {
    const id = order[position];
    newId[id] = position;
    sorted[position] = dictionary[id];
    hashes[position] = hashOf[id];
  }
  for (let r = 0; r < ids.length; r++) ids[r] = newId[ids[r]];
  return { dictionary: sorted, hashes };
}

/** Ids 0..n-1 ordered by (hash, id), entry 0 first: a float64 sort, no comparison callback. */
function orderByPackedKey(hashOf: Uint32Array): Uint32Array {
  const n = hashOf.length;
  const keys = new Float64Array(Math.max(0, n - 1));
  for (let id = 1; id < n; id++) keys[id - 1] = hashOf[id] * PACKED_IDS + id;
  keys.sort();
  const order = new Uint32Array(n);
  for (let i = 1; i < n; i++) order[i] = keys[i - 1] % PACKED_IDS;
  return order;
}

/** The same order for dictionaries too large to pack, through a comparison callback. */
function orderByCallback(hashOf: Uint32Array): Uint32Array {
  return range(0, hashOf.length).sort((a, b) => (a === 0 ? -1 : b === 0 ? 1 : hashOf[a] - hashOf[b]));
}

/**
 * The union of hash-ordered dictionaries, each value once, and for every part
 * the map from its ids to the union's (0 stays 0).
 */
export function mergeHashOrdered(parts: readonly HashOrderedDictionary[]): { dictionary: string[]; remaps: Uint32Array[] } {
  const dictionary = [''];
  const remaps = parts.map((part) => new Uint32Array(part.dictionary.length));
  const at = parts.map(() => 1);
  for (;;) {
    let best = -1;
    let hash = 0;
    let value = '';
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p];
      if (at[p] >= part.dictionary.length) continue;
      const h = part.hashes[at[p]];
      if (best >= 0 && h > hash) continue;
      const v = part.dictionary[at[p]];
      if (best < 0 || h < hash || v < value) {
        best = p;
        hash = h;
        value = v;
      }
    }
    if (best < 0) return { dictionary, remaps };
    const id = dictionary.push(value) - 1;
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p];
      const i = at[p];
      if (i < part.dictionary.length && part.hashes[i] === hash && part.dictionary[i] === value) {
        remaps[p][i] = id;
        at[p] = i + 1;
      }
    }
  }
}
