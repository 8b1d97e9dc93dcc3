// The held pairs in the index's file, so an index opened again reads them
// instead of comparing and scoring every record. A pair names its records by
// version number (a record gets a new one when it is added or updated), not by
// row, so an add writes only its new pairs; pairs of versions no longer
// indexed (removed or updated records) are left out when read.
import type { PairChunk } from '@mpi/blocking';
import type { RecordTable } from '@mpi/core';
import { recordKey } from './raw-records.js';
import type { ScoredTable } from './scored-table.js';
import type { IndexStore } from './store.js';

/** The stored pairs as rows of `table` (every record of it has a version: `versionOf` its recordKey). */
export function readStoredPairs(store: IndexStore, table: RecordTable, versionOf: (key: string) => number): Pick<ScoredTable, 'pairs' | 'weights'> {
  const rowOf = new Map<number, number>();
  for (let r = 0; r < table.size; r++) rowOf.set(versionOf(recordKey(table.sources[table.source[r]], table.recordIds[r])), r);
  let count = 0;
  const chunks: PairChunk[] = [];
  const weights: Float64Array[] = [];
  for (const stored of store.pairChunks()) {
    const [left, right, weight] = [new Uint32Array(stored.left.length), new Uint32Array(stored.left.length), new Float64Array(stored.left.length)];
    let k = 0;
    for (let p = 0; p < stored.left.length; p++) {
      const [a, b] = [rowOf.get(stored.left[p]), rowOf.get(stored.right[p])];
      if (a === undefined || b === undefined) continue;
      [left[k], right[k], weight[k++]] = a < b ? [a, b, stored.weights[p]] : [b, a, stored.weights[p]];
    }
    if (k === 0) continue;
    chunks.push({ left: left.slice(0, k), right: right.slice(0, k) });
    weights.push(weight.slice(0, k));
    count += k;
  }
  return { pairs: { count, chunks, countsByRule: [] }, weights };
}

export interface PairsToWrite {
  /** The change's scored pairs (undefined: no record left). */
  readonly scored: ScoredTable | undefined;
  /** recordKeys of the records the change adds or updates: each gets a new version. */
  readonly changed: readonly string[];
  /** The version of a record indexed before the change (undefined in a file of format 1). */
  readonly versionOf: (key: string) => number | undefined;
  /** The records kept by the change that have no version yet (a file of format 1): asked for only when all pairs are written. */
  readonly unversioned: () => readonly { readonly key: string; readonly source: string; readonly recordId: string }[];
  /** Replace every stored pair with all of `scored`'s; else add its chunks from `firstNewChunk`. */
  readonly all: boolean;
  readonly firstNewChunk: number;
}

/** Writes a change's pairs (inside its transaction); returns the versions it gave, by recordKey. */
export function writeStoredPairs(store: IndexStore, batch: number, write: PairsToWrite): Map<string, number> {
  let next = Number(store.meta('next_seq') ?? '0');
  const versions = new Map<string, number>();
  for (const key of write.changed) versions.set(key, next++);
  if (write.all) {
    // Records of a format-1 file get their version when all pairs are written.
    for (const record of write.unversioned()) {
      if (versions.has(record.key)) continue;
      versions.set(record.key, next++);
      store.setSeq(record.source, record.recordId, versions.get(record.key)!);
    }
    store.clearPairs();
  }
  const { scored } = write;
  if (scored !== undefined) {
    const { table } = scored;
    const versionOfRow = new Map<number, number>();
    const versionOf = (row: number): number => {
      let version = versionOfRow.get(row);
      if (version === undefined) {
        const key = recordKey(table.sources[table.source[row]], table.recordIds[row]);
        versionOfRow.set(row, (version = versions.get(key) ?? write.versionOf(key)!));
      }
      return version;
    };
    scored.pairs.chunks.forEach((chunk, c) => {
      if (!write.all && c < write.firstNewChunk) return;
      store.addPairs(batch, { left: chunk.left.map(versionOf), right: chunk.right.map(versionOf), weights: scored.weights[c] });
    });
  }
  store.setMeta('next_seq', String(next));
  store.setMeta('pairs', 'held');
  return versions;
}
