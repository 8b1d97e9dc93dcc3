import type { Comparison, EncodedColumn, ScoringTable } from './types.js';

/** Whether a typed array already lives in shared memory (then it crosses to workers without a copy). */
export function isShared(array: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer;
}

/** The array itself when SharedArrayBuffer-backed, else a copy in shared memory. */
export function toShared<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(array: T): T {
  if (isShared(array)) return array;
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const shared = new Ctor(new SharedArrayBuffer(array.byteLength));
  shared.set(array);
  return shared;
}

/**
 * The part of a table that comparisons read, in a form that goes to worker threads
 * once: id arrays in shared memory, dictionaries as plain string arrays.
 */
export function shareTable(table: ScoringTable, comparisons: readonly Comparison[]): ScoringTable {
  const columns: Record<string, EncodedColumn> = {};
  const share = (name: string): void => {
    const column = table.columns[name];
    if (column === undefined || columns[name] !== undefined) return;
    columns[name] = { dictionary: Array.from(column.dictionary), ids: toShared(column.ids) };
  };
  for (const comparison of comparisons) {
    share(comparison.column);
    for (const column of comparison.valueColumns ?? []) share(column);
    for (const level of comparison.levels) if (level.test.type === 'swapped' || level.test.type === 'crossMatch') share(level.test.other);
  }
  return { size: table.size, source: toShared(table.source), columns };
}
