import type { PairBlock } from '../render-sql.js';

/**
 * DuckDB memory a record takes on one side of the comparison join (the hash
 * table of the columns the levels read, and the pairs passing through), for the
 * default block size. Measured on the generated population: the join of 1M
 * records with themselves in one block took 2,513 MiB over the tables it read,
 * 1,297 bytes a record a side (docs/sql-engine.md). A larger value only makes
 * more, smaller blocks; a smaller one lets DuckDB spill inside a block.
 */
export const RECORD_JOIN_BYTES = 1300;

/** The share of memory_limit a block's join is planned to use (the rest: the tables the job keeps, DuckDB's own buffers). */
export const BLOCK_MEMORY_SHARE = 0.5;

/** The fewest records in a block: smaller blocks only add statements. */
const MIN_BLOCK_RECORDS = 10_000;

const UNITS: Readonly<Record<string, number>> = { bytes: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** Bytes of a size as DuckDB prints a setting ('953.6 MiB', '2.0 GiB'). */
export function sizeBytes(size: string): number {
  const match = /^\s*([\d.]+)\s*([A-Za-z]+)\s*$/.exec(size);
  const unit = match === null ? undefined : UNITS[match[2]];
  if (match === null || unit === undefined) throw new RangeError(`not a size DuckDB prints: ${size}`);
  return Number(match[1]) * unit;
}

/** Records per block so that the join of two blocks fits the memory limit (DuckDB's memory_limit setting as it prints it). */
export function recordsPerBlock(memoryLimit: string): number {
  return Math.max(MIN_BLOCK_RECORDS, Math.floor((sizeBytes(memoryLimit) * BLOCK_MEMORY_SHARE) / (2 * RECORD_JOIN_BYTES)));
}

/**
 * The blocks of the comparison join of `records` rows (0..records-1), `per`
 * rows a block: left rows of block i with right rows of block j >= i (a pair's
 * left row is below its right row), so every pair is in exactly one block. The
 * join of a block reads two blocks of records, whatever the record count.
 */
export function pairBlocks(records: number, per: number): PairBlock[] {
  if (!(per >= 1)) throw new RangeError(`records per block must be at least 1: ${per}`);
  const count = Math.max(1, Math.ceil(records / per));
  const range = (b: number): [number, number] => [b * per, Math.min((b + 1) * per, records)];
  const blocks: PairBlock[] = [];
  for (let i = 0; i < count; i++) for (let j = i; j < count; j++) blocks.push({ left: range(i), right: range(j) });
  return blocks;
}

/**
 * DuckDB memory one rule pair takes while a block of candidate pairs is made:
 * the block's `rule_pairs` rows (left row, right row, rule, bit: 20 bytes) and
 * the grouping's hash table entry over them, with room for DuckDB's own
 * overheads. An estimate on the safe side: past it, a block's grouping spills
 * (only that block's pairs), it does not fail.
 */
export const RULE_PAIR_BYTES = 96;

/** The fewest left rows in a block of candidate pairs. */
const MIN_LEFT_ROWS = 1_000;

/** Rule pairs (every rule's, before each pair is kept once) a block of candidate pairs is planned to hold, for a memory limit as DuckDB prints it. */
export function rulePairsPerBlock(memoryLimit: string): number {
  return Math.max(1, Math.floor((sizeBytes(memoryLimit) * BLOCK_MEMORY_SHARE) / RULE_PAIR_BYTES));
}

/**
 * Left rows of the first block of candidate pairs: all `records` when the
 * rules make at most `budget` pairs (`estimate`, an upper bound), else as many
 * as hold `budget` pairs at twice the average density (a pair's left row is
 * its lower one, so the first rows of a key's records hold the most pairs).
 */
export function firstLeftRows(records: number, estimate: number, budget: number): number {
  if (estimate <= budget) return Math.max(1, records);
  return Math.max(MIN_LEFT_ROWS, Math.floor((records * budget) / (2 * estimate)));
}

/**
 * Left rows of the next block, from the last one's: `rows` rows made `made`
 * rule pairs, scaled to `budget` (the density falls with the row, see
 * firstLeftRows), growing at most fourfold a block. Depends only on the data,
 * so the blocks, like the pairs, are the same every run.
 */
export function nextLeftRows(rows: number, made: number, budget: number): number {
  const scaled = made === 0 ? rows * 4 : Math.floor((rows * budget) / made);
  return Math.max(MIN_LEFT_ROWS, Math.min(rows * 4, scaled));
}
