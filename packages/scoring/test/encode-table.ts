import type { EncodedColumn, ScoringTable } from '../src/index.js';

/** Dictionary-encodes rows into a scoring table the way @mpi/core does ('' or absent = missing). */
export function encodeTable(rows: readonly Readonly<Record<string, string | undefined>>[]): ScoringTable {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const columns: Record<string, EncodedColumn> = {};
  for (const name of names) {
    const dictionary = [''];
    const idOf = new Map<string, number>();
    const ids = new Uint32Array(rows.length);
    rows.forEach((row, r) => {
      const value = row[name] ?? '';
      if (value === '') return;
      let id = idOf.get(value);
      if (id === undefined) {
        id = dictionary.length;
        dictionary.push(value);
        idOf.set(value, id);
      }
      ids[r] = id;
    });
    columns[name] = { dictionary, ids };
  }
  return { size: rows.length, source: new Uint16Array(rows.length), columns };
}
