// Canonical record order within a source: by record id, compared by UTF-16 code
// units as `<` and the default Array sort do. Duplicate ids are found in that
// order too, as neighbours, instead of through a Map of every id seen: at 338k
// records a Map of ids cost ~330 ms to fill and ~100 ms to read back the order,
// against ~390 ms for the whole index sort here (ehr source of the 1M population).

/**
 * Fills `out` with values[order[i]] for every i, in a plain loop: TypedArray.from
 * and Array.from with a map function run the iterator protocol per element
 * (~190 ms per 1M records, against ~22 ms).
 */
export function gatherInto<T extends { [index: number]: V }, V>(out: T, values: ArrayLike<V>, order: Uint32Array): T {
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]];
  return out;
}

/** 0, 1, ..., length - 1 shifted by `from`. */
export function range(from: number, length: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) out[i] = from + i;
  return out;
}

/** Indexes of `ids` ordered by id, ties by index. */
export function orderById(ids: readonly string[]): Uint32Array {
  return range(0, ids.length).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : a - b));
}

/** Record indexes in [runs[0], runs[last]) ordered by id, given runs [runs[k], runs[k+1]) each already ordered. */
export function mergeSortedRuns(ids: readonly string[], runs: readonly number[]): Uint32Array {
  const from = runs[0];
  let order = range(from, runs[runs.length - 1] - from);
  let bounds = runs.map((r) => r - from);
  let spare = new Uint32Array(order.length);
  while (bounds.length > 2) {
    const next = [0];
    for (let k = 0; k + 1 < bounds.length; k += 2) {
      const mid = bounds[k + 1];
      const end = k + 2 < bounds.length ? bounds[k + 2] : mid;
      let a = bounds[k];
      let b = mid;
      let o = bounds[k];
      while (a < mid && b < end) spare[o++] = ids[order[b]] < ids[order[a]] ? order[b++] : order[a++];
      while (a < mid) spare[o++] = order[a++];
      while (b < end) spare[o++] = order[b++];
      next.push(end);
    }
    [order, spare] = [spare, order];
    bounds = next;
  }
  return order;
}

/**
 * The first repeated record id of one source in reading order (the row where a
 * single pass would stop, and the row it repeats), given its records ordered by
 * id, or undefined when every id is distinct.
 */
export function firstRepeat(order: Uint32Array, ids: readonly string[], rows: ArrayLike<number>): { row: number; firstRow: number } | undefined {
  const groups: number[][] = [];
  for (let i = 1; i < order.length; i++) {
    if (ids[order[i]] !== ids[order[i - 1]]) continue;
    let j = i - 1;
    while (j > 0 && ids[order[j - 1]] === ids[order[i]]) j--;
    const group: number[] = [];
    for (let k = j; k < order.length && ids[order[k]] === ids[order[i]]; k++) group.push(rows[order[k]]);
    groups.push(group);
  }
  return earliestRepeat(groups);
}

/**
 * Of the rows of each repeated record id (any order), the repeat a single pass
 * in reading order stops at: the group whose second row comes first; its row
 * and the row it repeats. Shared by the in-process read and the streamed read,
 * whose SQL finds the groups.
 */
export function earliestRepeat(groups: readonly (readonly number[])[]): { row: number; firstRow: number } | undefined {
  let found: { row: number; firstRow: number } | undefined;
  for (const rows of groups) {
    const group = [...rows].sort((x, y) => x - y);
    if (found === undefined || group[1] < found.row) found = { row: group[1], firstRow: group[0] };
  }
  return found;
}
