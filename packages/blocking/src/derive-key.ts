import { keyFunction } from './key-transforms.js';
import { radixSortByKey } from './radix-sort.js';
import type { BlockingTable, EncodedColumn, KeyPart, KeyTransform } from './types.js';

/**
 * The derived keys of one key part over a column's dictionary: `keyOfValue[v]` is
 * the derived key id (1..keys.length-1) of dictionary value v, 0 when the value is
 * missing or the transform yields ''. `keys[id]` is the key; `keys[0] === ''`.
 * When `ordered`, id order is the key strings' order (what sorted neighbourhood
 * needs); otherwise ids are in first-seen dictionary order.
 */
export interface DerivedDictionaryKeys {
  readonly keys: readonly string[];
  readonly keyOfValue: Uint32Array;
  readonly ordered: boolean;
}

/**
 * Record-level blocking keys: `ids[r]` is record r's key id (0 = no key), ids run
 * 1..count. When derived `ordered`, numeric id order is the lexicographic order of
 * the key parts' strings.
 */
export interface RecordKeys {
  readonly ids: Uint32Array;
  readonly count: number;
  /** When known: the rows that have a key, sorted by (key id, row). */
  readonly order?: Uint32Array;
}

// Transforms run once per distinct dictionary value and are memoised per dictionary:
// several rules (and countRulePairs then generatePairs) reuse e.g. the Double Metaphone
// codes of family_name without recomputing them.
const dictionaryCache = new WeakMap<readonly string[], Map<string, DerivedDictionaryKeys>>();

function computeDictionaryKeys(dictionary: readonly string[], transform: KeyTransform, ordered: boolean): DerivedDictionaryKeys {
  // Interned even for 'exact': a dictionary whose entries collide after normalization
  // (two raw spellings normalized to one value) must still block them together.
  const fn = keyFunction(transform);
  if (fn === undefined) throw new RangeError(`Unknown key transform '${transform}'`);
  const keyOfValue = new Uint32Array(dictionary.length);
  const interned = new Map<string, number>();
  const distinct: string[] = [''];
  for (let v = 1; v < dictionary.length; v++) {
    const value = dictionary[v];
    if (value === '') continue;
    const key = fn(value);
    if (key === '') continue;
    let id = interned.get(key);
    if (id === undefined) {
      id = distinct.length;
      interned.set(key, id);
      distinct.push(key);
    }
    keyOfValue[v] = id;
  }
  if (!ordered) return { keys: distinct, keyOfValue, ordered };
  // Sorting strings is the costly step at high cardinality (~1-2 s per million
  // distinct keys), which is why only sorted neighbourhood asks for it.
  const keys = distinct.slice(1).sort();
  keys.unshift('');
  const rank = new Uint32Array(distinct.length);
  for (let id = 1; id < keys.length; id++) rank[interned.get(keys[id])!] = id;
  for (let v = 0; v < keyOfValue.length; v++) keyOfValue[v] = rank[keyOfValue[v]];
  return { keys, keyOfValue, ordered };
}

/**
 * Derived keys of every distinct value of a dictionary, memoised per dictionary,
 * transform and ordering (an ordered result also serves unordered requests).
 */
export function deriveDictionaryKeys(
  dictionary: readonly string[],
  transform: KeyTransform = 'exact',
  ordered = true,
): DerivedDictionaryKeys {
  let byTransform = dictionaryCache.get(dictionary);
  if (byTransform === undefined) {
    byTransform = new Map();
    dictionaryCache.set(dictionary, byTransform);
  }
  const cached = byTransform.get(`${transform}|ordered`) ?? (ordered ? undefined : byTransform.get(`${transform}|any`));
  if (cached !== undefined) return cached;
  const derived = computeDictionaryKeys(dictionary, transform, ordered);
  byTransform.set(`${transform}|${ordered ? 'ordered' : 'any'}`, derived);
  return derived;
}

/** Record-level derived key ids of one key part (0 = no key). */
export function deriveKeyPart(column: EncodedColumn, transform: KeyTransform = 'exact', ordered = true): RecordKeys {
  const { keys, keyOfValue } = deriveDictionaryKeys(column.dictionary, transform, ordered);
  return { ids: gather(keyOfValue, column.ids), count: keys.length - 1 };
}

// Loops over records sit in small functions of their own (here and below): V8
// compiles a long loop on-stack with the code around it, and code after the loop
// that had not yet run then bailed out of that compiled code on every later call
// (deriveKeyPart 33 times in a FEBRL4 run, combineRecordKeys and groupByKey
// before their sorts).

/** out[i] = table[index[i]]. */
function gather(table: Uint32Array, index: Uint32Array): Uint32Array {
  const out = new Uint32Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = table[index[i]];
  return out;
}

/** Records whose ids are non-zero in both a and b. */
function countBoth(a: Uint32Array, b: Uint32Array): number {
  let present = 0;
  for (let r = 0; r < a.length; r++) if (a[r] !== 0 && b[r] !== 0) present++;
  return present;
}

/** ids[order[i]] = the number of distinct keys among keys[0..i] (keys sorted): record ids numbered by key. */
function numberSortedKeys(keys: Uint32Array, order: Uint32Array, ids: Uint32Array): number {
  let count = 0;
  let previous = -1;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== previous) {
      count++;
      previous = keys[i];
    }
    ids[order[i]] = count;
  }
  return count;
}

/** The rows where both keys are present, and their keys packed as a << bBits | b, in row order. */
function packKeys(aIds: Uint32Array, bIds: Uint32Array, bBits: number, rows: Uint32Array, packed: Uint32Array): void {
  for (let r = 0, i = 0; r < aIds.length; r++) {
    const ka = aIds[r];
    const kb = bIds[r];
    if (ka !== 0 && kb !== 0) {
      rows[i] = r;
      packed[i++] = ((ka << bBits) | kb) >>> 0;
    }
  }
}

function bitsOf(maxKey: number): number {
  return maxKey <= 0 ? 0 : 32 - Math.clz32(maxKey);
}

/**
 * Combines two record keys into one whose id order is lexicographic on (a, b).
 * When both id ranges fit one 32-bit word the pair is packed as a << bits(b) | b
 * and sorted once, carrying only the rows: about half the memory traffic of
 * two sorts that each carry rows and the other key. Otherwise two stable radix
 * sorts of the records (by b, then by a). Either way a walk numbers the distinct
 * (a, b); no per-record strings, and no overflow however large the key spaces
 * are. The result carries the (key, row) order it found.
 */
export function combineRecordKeys(a: RecordKeys, b: RecordKeys): RecordKeys {
  const n = a.ids.length;
  const aIds = a.ids;
  const bIds = b.ids;
  const present = countBoth(aIds, bIds);
  const rows = new Uint32Array(present);
  const bBits = bitsOf(b.count);
  if (bitsOf(a.count) + bBits <= 32) {
    const packed = new Uint32Array(present);
    packKeys(aIds, bIds, bBits, rows, packed);
    // Rows are gathered ascending and the sort is stable: ties stay in row order.
    const sorted = radixSortByKey(packed, ((a.count << bBits) | b.count) >>> 0, [rows]);
    const order = sorted.payloads[0];
    const ids = new Uint32Array(n);
    const count = numberSortedKeys(sorted.keys, order, ids);
    return { ids, count, order };
  }
  const aOf = new Uint32Array(present);
  const bOf = new Uint32Array(present);
  for (let r = 0, i = 0; r < n; r++) {
    if (aIds[r] !== 0 && bIds[r] !== 0) {
      rows[i] = r;
      aOf[i] = aIds[r];
      bOf[i] = bIds[r];
      i++;
    }
  }
  const byB = radixSortByKey(bOf, b.count, [rows, aOf]);
  const byAB = radixSortByKey(byB.payloads[1], a.count, [byB.payloads[0], byB.keys]);
  const sortedA = byAB.keys;
  const [order, sortedB] = byAB.payloads;
  const ids = new Uint32Array(n);
  let count = 0;
  let prevA = 0;
  let prevB = 0;
  for (let i = 0; i < present; i++) {
    if (sortedA[i] !== prevA || sortedB[i] !== prevB) {
      count++;
      prevA = sortedA[i];
      prevB = sortedB[i];
    }
    ids[order[i]] = count;
  }
  return { ids, count, order };
}

/**
 * Record-level key ids of a (possibly multi-part) key. A record has no key (0)
 * when any part is missing. `ordered` (default true) makes id order follow the
 * key strings; key rules only need equality and skip the string sort.
 */
export function deriveRecordKeys(table: BlockingTable, parts: readonly KeyPart[], ordered = true): RecordKeys {
  if (parts.length === 0) throw new RangeError('A blocking key needs at least one part');
  let keys: RecordKeys | undefined;
  for (const part of parts) {
    const column = table.columns[part.column];
    if (column === undefined) throw new RangeError(`Unknown column '${part.column}'`);
    if (column.ids.length !== table.size) {
      throw new RangeError(`Column '${part.column}' has ${column.ids.length} record ids for a table of ${table.size} records`);
    }
    const partKeys = deriveKeyPart(column, part.transform ?? 'exact', ordered);
    keys = keys === undefined ? partKeys : combineRecordKeys(keys, partKeys);
  }
  return keys!;
}

/**
 * Record-level key ids of a key whose parts match in any order: each part's
 * derived string is interned in one id space shared by all parts, each record's
 * part ids are sorted, and the sorted tuple is combined as usual. A record has
 * no key when any part is missing. Id order is not key-string order.
 */
export function deriveUnorderedRecordKeys(table: BlockingTable, parts: readonly KeyPart[]): RecordKeys {
  if (parts.length === 0) throw new RangeError('A blocking key needs at least one part');
  const shared = new Map<string, number>();
  const n = table.size;
  const partIds = parts.map((part) => {
    const column = table.columns[part.column];
    if (column === undefined) throw new RangeError(`Unknown column '${part.column}'`);
    const { keys, keyOfValue } = deriveDictionaryKeys(column.dictionary, part.transform ?? 'exact', false);
    // Per derived key of this part, its id in the shared space (computed per distinct key, not per record).
    const toShared = new Uint32Array(keys.length);
    for (let k = 1; k < keys.length; k++) {
      let id = shared.get(keys[k]);
      if (id === undefined) shared.set(keys[k], (id = shared.size + 1));
      toShared[k] = id;
    }
    const sharedOfValue = new Uint32Array(keyOfValue.length);
    for (let v = 0; v < keyOfValue.length; v++) sharedOfValue[v] = toShared[keyOfValue[v]];
    const valueIds = column.ids;
    const ids = new Uint32Array(n);
    for (let r = 0; r < n; r++) ids[r] = sharedOfValue[valueIds[r]];
    return ids;
  });
  const sortedParts = sortPartsPerRecord(partIds, n);
  let keys: RecordKeys | undefined;
  for (const ids of sortedParts) {
    const partKeys: RecordKeys = { ids, count: shared.size };
    keys = keys === undefined ? partKeys : combineRecordKeys(keys, partKeys);
  }
  return keys!;
}

/**
 * Per record, its part ids in ascending order (parts[p][r] becomes the p-th
 * smallest of record r's ids). Two and three parts, the usual name keys, are
 * swapped in place without a per-record array sort.
 */
function sortPartsPerRecord(parts: Uint32Array[], n: number): Uint32Array[] {
  if (parts.length === 2) {
    const [p0, p1] = parts;
    for (let r = 0; r < n; r++) {
      const x = p0[r];
      const y = p1[r];
      if (y < x) {
        p0[r] = y;
        p1[r] = x;
      }
    }
    return parts;
  }
  if (parts.length === 3) {
    const [p0, p1, p2] = parts;
    for (let r = 0; r < n; r++) {
      let x = p0[r];
      let y = p1[r];
      let z = p2[r];
      let t: number;
      if (y < x) ((t = x), (x = y), (y = t));
      if (z < y) {
        ((t = y), (y = z), (z = t));
        if (y < x) ((t = x), (x = y), (y = t));
      }
      p0[r] = x;
      p1[r] = y;
      p2[r] = z;
    }
    return parts;
  }
  const tuple = new Uint32Array(parts.length);
  for (let r = 0; r < n; r++) {
    for (let p = 0; p < parts.length; p++) tuple[p] = parts[p][r];
    tuple.sort();
    for (let p = 0; p < parts.length; p++) parts[p][r] = tuple[p];
  }
  return parts;
}
