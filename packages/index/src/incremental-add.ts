// An add of new records scored incrementally: the pairs and match weights of
// the records indexed before are held in memory and stay as they are (the
// model, blocking rules and term frequencies are frozen, so a pair's weight
// depends on its two records alone). Only the new records are blocked, against
// the index's blocking keys and among themselves, and only those pairs are
// compared and scored, on a table of just the rows they involve.
import { compileBlockingRule, generatePairs, type PairChunk } from '@mpi/blocking';
import type { RecordTable } from '@mpi/core';
import { appendTable } from './append-table.js';
import type { BlockingKeys } from './blocking-keys.js';
import { mergeTables } from './merge-tables.js';
import { scorePairs, termFrequencyInputsOf, type FrozenParts, type ScoredTable } from './scored-table.js';
import { subTable } from './sub-table.js';

/** The held scores with the batch's records (at `addedRows`) and their pairs (chunks from `firstNewChunk` on) merged in, the blocking keys of the merged table, how many pairs were scored for it, and where each held row moved (`baseRow`). */
export async function scoreAdded(
  held: ScoredTable,
  keys: BlockingKeys,
  added: RecordTable,
  frozen: FrozenParts,
  threads: number,
): Promise<{ scored: ScoredTable; keys: BlockingKeys; pairsScored: number; addedRows: Uint32Array; baseRow: Uint32Array; firstNewChunk: number }> {
  const mode = frozen.settings.mode ?? 'dedupe';
  const base = held.table;
  // New records against the index: the rows sharing a blocking key (link mode: of another source).
  const candidatesOf: Uint32Array[] = [];
  const involved = new Set<number>();
  for (let row = 0; row < added.size; row++) {
    let rows = keys.candidates(added, row);
    if (mode === 'link') {
      const own = added.sources[added.source[row]];
      rows = rows.filter((r) => base.sources[base.source[r]] !== own);
    }
    candidatesOf.push(rows);
    for (const r of rows) involved.add(r);
  }
  // New records among themselves: the rules on the batch alone.
  const within = generatePairs(added, frozen.rules.map((rule) => compileBlockingRule(added, rule)), { mode, maxPairs: frozen.settings.maxPairs });

  const rows = Uint32Array.from(involved).sort();
  const position = new Map<number, number>();
  rows.forEach((r, i) => position.set(r, i));
  let count = within.count;
  for (const candidates of candidatesOf) count += candidates.length;
  // Pairs as rows of the small table (involved index rows, then the batch) ...
  const left = new Uint32Array(count);
  const right = new Uint32Array(count);
  let k = 0;
  candidatesOf.forEach((candidates, row) => {
    for (const r of candidates) [left[k], right[k++]] = [position.get(r)!, rows.length + row];
  });
  for (const chunk of within.chunks) for (let p = 0; p < chunk.left.length; p++) [left[k], right[k++]] = [rows.length + chunk.left[p], rows.length + chunk.right[p]];
  const small = appendTable(subTable(base, rows), added);
  const { weights } = await scorePairs(small, frozen, count === 0 ? [] : [{ left, right }], threads);

  // ... and as rows of the merged table, where held pairs move with their rows.
  const merged = mergeTables(base, added);
  const toMerged = (row: number) => (row < rows.length ? merged.baseRow[rows[row]] : merged.extraRow[row - rows.length]);
  const newLeft = new Uint32Array(count);
  const newRight = new Uint32Array(count);
  for (let p = 0; p < count; p++) {
    const [a, b] = [toMerged(left[p]), toMerged(right[p])];
    [newLeft[p], newRight[p]] = a < b ? [a, b] : [b, a];
  }
  // Base rows keep their order in the merged table, so left < right still holds.
  const heldPairs = compacted(held.pairs.chunks, held.weights);
  const heldChunks = heldPairs.chunks.map((chunk) => ({ left: moved(chunk.left, merged.baseRow), right: moved(chunk.right, merged.baseRow) }));
  const chunks = count === 0 ? heldChunks : [...heldChunks, { left: newLeft, right: newRight }];
  const scored: ScoredTable = {
    table: merged.table,
    pairs: { count: held.pairs.count + count, chunks, countsByRule: [] },
    weights: count === 0 ? heldPairs.weights : [...heldPairs.weights, weights[0]],
    // The merged table's dictionaries extend the held table's (appendTable): only new values are looked up.
    tf: termFrequencyInputsOf(merged.table, frozen.tf, held.tf),
  };
  return { scored, keys: keys.merged(merged.baseRow, added, merged.extraRow), pairsScored: count, addedRows: merged.extraRow, baseRow: merged.baseRow, firstNewChunk: heldChunks.length };
}

/** Each row's new row (a plain loop: TypedArray.map with a callback is several times slower on millions of pairs). */
function moved(rows: Uint32Array, to: Uint32Array): Uint32Array {
  const out = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = to[rows[i]];
  return out;
}

/** Pairs per chunk up to which the chunks of many small adds are joined. */
const CHUNK_PAIRS = 1 << 20;

/** The chunks (and their weights) with runs of small ones joined, in order: every add brings one, and thousands of adds must not leave thousands of tiny chunks. */
function compacted(chunks: readonly PairChunk[], weights: readonly Float64Array[]): { chunks: PairChunk[]; weights: Float64Array[] } {
  const out: { chunks: PairChunk[]; weights: Float64Array[] } = { chunks: [], weights: [] };
  let run: number[] = [];
  let pairs = 0;
  const flush = () => {
    if (run.length === 1) out.chunks.push(chunks[run[0]]), out.weights.push(weights[run[0]]);
    if (run.length > 1) {
      const left = new Uint32Array(pairs);
      const right = new Uint32Array(pairs);
      const weight = new Float64Array(pairs);
      let at = 0;
      for (const c of run) {
        left.set(chunks[c].left, at);
        right.set(chunks[c].right, at);
        weight.set(weights[c], at);
        at += chunks[c].left.length;
      }
      out.chunks.push({ left, right });
      out.weights.push(weight);
    }
    run = [];
    pairs = 0;
  };
  chunks.forEach((chunk, c) => {
    if (pairs + chunk.left.length > CHUNK_PAIRS) flush();
    run.push(c);
    pairs += chunk.left.length;
  });
  flush();
  return out;
}
