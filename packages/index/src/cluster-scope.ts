// The part of an index an add can change: the connected components, under the
// links clustering follows (pairs at or above the link threshold, "match"
// decisions), that hold a record of the batch. Every new pair has a record of
// the batch, so a component without one has the same pairs and weights as
// before and clusters into the same groups; clustering only the touched
// components (each a union of old identities and new records) gives the groups
// and ids clustering everything gives.
import type { RecordTable } from '@mpi/core';
import type { DecisionRow } from './store.js';
import type { ScoredTable } from './scored-table.js';
import { subTable } from './sub-table.js';

/** The row of a record in a table in canonical order (sources by name, then record id), or -1. */
export function rowOf(table: RecordTable, source: string, recordId: string): number {
  const s = table.sources.indexOf(source);
  if (s < 0) return -1;
  let [low, high] = [0, table.size];
  while (low < high) {
    const mid = (low + high) >>> 1;
    const before = table.source[mid] < s || (table.source[mid] === s && table.recordIds[mid] < recordId);
    if (before) low = mid + 1;
    else high = mid;
  }
  return low < table.size && table.source[low] === s && table.recordIds[low] === recordId ? low : -1;
}

function find(parent: Uint32Array, row: number): number {
  while (parent[row] !== row) row = parent[row] = parent[parent[row]];
  return row;
}

/**
 * The touched components of `scored` (rows `added` are the batch's) as a
 * scored table of their own, rows in canonical order, with every pair both of
 * whose records are in it (no term-frequency inputs: clustering reads only
 * the weights).
 */
export function touchedComponents(scored: ScoredTable, added: Uint32Array, minWeight: number, decisions: readonly DecisionRow[]): ScoredTable {
  const { table } = scored;
  const parent = new Uint32Array(table.size);
  for (let r = 0; r < parent.length; r++) parent[r] = r;
  const join = (a: number, b: number) => {
    const [x, y] = [find(parent, a), find(parent, b)];
    if (x !== y) parent[x > y ? x : y] = x > y ? y : x;
  };
  scored.pairs.chunks.forEach((chunk, c) => {
    const weights = scored.weights[c];
    for (let k = 0; k < weights.length; k++) if (weights[k] >= minWeight) join(chunk.left[k], chunk.right[k]);
  });
  for (const d of decisions) {
    if (d.decision !== 'match') continue;
    const [l, r] = [rowOf(table, d.sourceL, d.recordIdL), rowOf(table, d.sourceR, d.recordIdR)];
    if (l >= 0 && r >= 0) join(l, r);
  }
  const touched = new Uint8Array(table.size);
  for (const row of added) touched[find(parent, row)] = 1;
  const position = new Int32Array(table.size).fill(-1);
  let size = 0;
  for (let r = 0; r < table.size; r++) if (touched[find(parent, r)] === 1) position[r] = size++;
  const rows = new Uint32Array(size);
  for (let r = 0; r < table.size; r++) if (position[r] >= 0) rows[position[r]] = r;
  const left: number[] = [];
  const right: number[] = [];
  const weights: number[] = [];
  scored.pairs.chunks.forEach((chunk, c) => {
    for (let k = 0; k < chunk.left.length; k++) {
      const [l, r] = [position[chunk.left[k]], position[chunk.right[k]]];
      if (l >= 0 && r >= 0) left.push(l), right.push(r), weights.push(scored.weights[c][k]);
    }
  });
  const local = subTable(table, rows);
  const chunks = left.length === 0 ? [] : [{ left: Uint32Array.from(left), right: Uint32Array.from(right) }];
  return { table: local, pairs: { count: left.length, chunks, countsByRule: [] }, weights: chunks.length === 0 ? [] : [Float64Array.from(weights)], tf: [] };
}
