import type { EncodedColumn } from '@mpi/types';

/** Builds one dictionary-encoded column: interns values and records each row's value id (0 = missing). */
export class ColumnBuilder {
  readonly index: Map<string, number>;
  readonly dictionary: string[];
  // Grown by doubling as records arrive (reserve). Small to start with: a source of one record (an
  // identity index's match query) builds two of these per field on every request.
  ids = new Uint32Array(16);

  /**
   * @param sharing a builder whose dictionary this one interns into (sources read
   * one after another on one thread share a dictionary per field; see SharedReads).
   * Only the dictionary is shared: each builder keeps its own rows' ids.
   */
  constructor(sharing?: ColumnBuilder) {
    this.index = sharing?.index ?? new Map<string, number>([['', 0]]);
    this.dictionary = sharing?.dictionary ?? [''];
  }

  /** Dictionary id of a normalized value, adding it on first sight. */
  intern(value: string): number {
    let id = this.index.get(value);
    if (id === undefined) {
      id = this.dictionary.length;
      this.index.set(value, id);
      this.dictionary.push(value);
    }
    return id;
  }

  /** Sets the record's value id unless an earlier column already filled it. */
  setIfEmpty(record: number, id: number): void {
    if (record >= this.ids.length) this.reserve(record + 1);
    else if (this.ids[record] !== 0) return;
    this.ids[record] = id;
  }

  reserve(records: number): void {
    if (records <= this.ids.length) return;
    const grown = new Uint32Array(Math.max(records, this.ids.length * 2));
    grown.set(this.ids);
    this.ids = grown;
  }

  /** Appends another builder's rows (a source read elsewhere), re-interning its dictionary unless it is this one's. */
  append(offset: number, dictionary: readonly string[], ids: Uint32Array, count: number): void {
    this.reserve(offset + count);
    if (dictionary === this.dictionary) {
      this.ids.set(ids.subarray(0, count), offset);
      return;
    }
    const remap = new Uint32Array(dictionary.length);
    for (let id = 1; id < dictionary.length; id++) remap[id] = this.intern(dictionary[id]);
    for (let r = 0; r < count; r++) this.ids[offset + r] = remap[ids[r]];
  }

  /** Re-numbers the dictionary by first appearance along `order`, so ids do not depend on input order. */
  finish(order: Uint32Array): EncodedColumn {
    this.reserve(order.length);
    return encodeInOrder(this.dictionary, this.ids, order);
  }
}

/**
 * The column of values `ids` (into `dictionary`) along `order`, its dictionary
 * renumbered by first appearance in that order, so ids do not depend on input order.
 */
export function encodeInOrder(oldDictionary: readonly string[], oldIds: Uint32Array, order: Uint32Array): EncodedColumn {
  const dictionary: string[] = [''];
  // In shared memory from the start: the comparison workers read the table's id
  // arrays as they are, instead of a shared copy of each made when the table loads.
  const ids = new Uint32Array(new SharedArrayBuffer(order.length * Uint32Array.BYTES_PER_ELEMENT));
  renumber(oldDictionary, oldIds, order, dictionary, ids);
  return { dictionary, ids };
}

/**
 * Fills `ids` with the column along `order` and `dictionary` (holding '') with
 * its values numbered by first appearance. A function of its own, returning
 * nothing: compiled on-stack with code after the loop that had not yet run, it
 * bailed out of that code for every later column.
 */
function renumber(oldDictionary: readonly string[], oldIds: Uint32Array, order: Uint32Array, dictionary: string[], ids: Uint32Array): void {
  const remap = new Int32Array(oldDictionary.length).fill(-1);
  remap[0] = 0;
  for (let r = 0; r < order.length; r++) {
    const old = oldIds[order[r]];
    let id = remap[old];
    if (id < 0) {
      id = dictionary.length;
      remap[old] = id;
      dictionary.push(oldDictionary[old]);
    }
    ids[r] = id;
  }
}
