// A blocking rule's derived key strings -> key ids. Those read from the index's
// file stay as stored, one text of every key in sorted order with each key's
// start and id, searched in place: a map of the 5.7 million keys of a
// million-record index took seconds to build on every open, most of it garbage
// collection. Keys added since are held in a map until the next write.

/** Every key sorted (UTF-16 code-unit order, as `<` compares strings): key i is text[starts[i] .. starts[i + 1]), its id ids[i]. */
export interface SortedKeys {
  readonly text: string;
  readonly starts: Uint32Array;
  readonly ids: Uint32Array;
}

/** -1, 0, 1 as `key` sorts before, with, after key `i` of `sorted`, without cutting the key out of the text. */
function compareAt(key: string, { text, starts }: SortedKeys, i: number): number {
  const start = starts[i];
  const length = starts[i + 1] - start;
  const common = Math.min(key.length, length);
  for (let c = 0; c < common; c++) {
    const difference = key.charCodeAt(c) - text.charCodeAt(start + c);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return key.length === length ? 0 : key.length < length ? -1 : 1;
}

/** The first position in `sorted` whose key is not before `key`. */
function lowerBound(sorted: SortedKeys, key: string): number {
  let lo = 0;
  let hi = sorted.ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareAt(key, sorted, mid) > 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const EMPTY: SortedKeys = { text: '', starts: new Uint32Array(1), ids: new Uint32Array(0) };

/** A rule's key ids: the sorted keys (as stored) and the keys set since. */
export class KeyIds {
  private constructor(
    private sorted: SortedKeys,
    private readonly added: Map<string, number>,
  ) {}

  /** Key ids of a map (a rule compiled on a table). */
  static of(map: Map<string, number>): KeyIds {
    return new KeyIds(EMPTY, map);
  }

  /** Key ids as stored. */
  static fromSorted(sorted: SortedKeys): KeyIds {
    return new KeyIds(sorted, new Map());
  }

  get(key: string): number | undefined {
    const id = this.added.get(key);
    if (id !== undefined || this.sorted.ids.length === 0) return id;
    const at = lowerBound(this.sorted, key);
    return at < this.sorted.ids.length && compareAt(key, this.sorted, at) === 0 ? this.sorted.ids[at] : undefined;
  }

  set(key: string, id: number): void {
    this.added.set(key, id);
  }

  /**
   * Every key with its id, sorted (what the file stores). The keys set since
   * are merged into the sorted ones, in place: the same keys and ids after.
   */
  sortedKeys(): SortedKeys {
    if (this.added.size === 0) return this.sorted;
    const base = this.sorted;
    // The default sort compares strings by UTF-16 code units, as `<` does, several times faster than a comparator.
    const extra = [...this.added.keys()].sort().map((key) => [key, this.added.get(key)!] as const);
    const starts = new Uint32Array(base.ids.length + extra.length + 1);
    const ids = new Uint32Array(base.ids.length + extra.length);
    const pieces: string[] = [];
    let from = 0;
    let out = 0;
    let at = 0;
    const copyBase = (to: number) => {
      pieces.push(base.text.slice(base.starts[from], base.starts[to]));
      for (let i = from; i < to; i++) {
        starts[out] = at + base.starts[i] - base.starts[from];
        ids[out++] = base.ids[i];
      }
      at += base.starts[to] - base.starts[from];
    };
    for (const [key, id] of extra) {
      const to = lowerBound(base, key);
      copyBase(to);
      // A key set again (after a change that did not commit) replaces the stored one.
      from = to < base.ids.length && compareAt(key, base, to) === 0 ? to + 1 : to;
      pieces.push(key);
      starts[out] = at;
      ids[out++] = id;
      at += key.length;
    }
    copyBase(base.ids.length);
    starts[out] = at;
    this.sorted = { text: pieces.join(''), starts: starts.slice(0, out + 1), ids: ids.slice(0, out) };
    this.added.clear();
    return this.sorted;
  }
}
