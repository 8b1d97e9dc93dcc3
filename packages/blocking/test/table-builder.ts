import type { BlockingTable, EncodedColumn } from '../src/index.js';

/** One test record: column -> normalized value ('' or undefined = missing). */
export type TestRecord = Readonly<Record<string, string | undefined>>;

/** Dictionary-encodes one column the way the record table does (id 0 = missing). */
export function encodeColumn(values: readonly (string | undefined)[]): EncodedColumn {
  const dictionary = [''];
  const index = new Map<string, number>();
  const ids = new Uint32Array(values.length);
  values.forEach((value, row) => {
    if (value === undefined || value === '') return;
    let id = index.get(value);
    if (id === undefined) {
      id = dictionary.length;
      index.set(value, id);
      dictionary.push(value);
    }
    ids[row] = id;
  });
  return { dictionary, ids };
}

/** A BlockingTable of the records; `sources[r]` is record r's source (default 0). */
export function buildTable(records: readonly TestRecord[], sources?: readonly number[]): BlockingTable {
  const names = new Set<string>();
  for (const record of records) for (const name of Object.keys(record)) names.add(name);
  const columns: Record<string, EncodedColumn> = {};
  for (const name of names) columns[name] = encodeColumn(records.map((record) => record[name]));
  return {
    size: records.length,
    source: Uint16Array.from(records, (_, r) => sources?.[r] ?? 0),
    columns,
  };
}

/** Small seeded generator (mulberry32) so random tables are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** All pairs of a CandidatePairs result as "left,right" strings, in output order. */
export function pairList(result: { chunks: readonly { left: Uint32Array; right: Uint32Array }[] }): string[] {
  const out: string[] = [];
  for (const chunk of result.chunks) {
    for (let k = 0; k < chunk.left.length; k++) out.push(`${chunk.left[k]},${chunk.right[k]}`);
  }
  return out;
}
