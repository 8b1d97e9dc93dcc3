// The default pair budget (settings.maxPairs unset) is sized to the memory this
// process can still take, so that a job too large for the machine stops with
// PairBudgetExceededError before any pair is generated, instead of running for
// minutes and dying with "Array buffer allocation failed" (a fixed 200M-pair
// default let a job need ~6 GB). An explicit maxPairs is the user's override.
import { readFileSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { ClusteringMethod } from './clustering-method.js';
import { BROAD_RULE_MIN_PAIRS, BROAD_RULE_PAIRS_PER_RECORD } from './field-kinds.js';

/**
 * Bytes link() holds per candidate pair outside the V8 heap (typed arrays), at
 * the stage where most are held at once, besides `width` bytes of comparison
 * vector: measured as peak RSS against candidate pairs, and per stage from what
 * each allocates.
 *
 * Train and score hold the pairs (8: left and right rows), the vectors (width),
 * the EM session masks (4 per 32 training rules) and the pattern keys (8) or the
 * weights (8). Measured: 101,561 generated records with 0.05M to 7.37M pairs
 * and 12 comparisons, peak RSS 265 to 470 MiB, 28-30 bytes a pair.
 *
 * Clustering holds the pairs and weights (16; the vectors are dropped by then)
 * and its own arrays. Average linkage in the worst case (every pair in a
 * component holding a pair scored below the threshold: placeholder values that
 * join many records do this) builds adjacency lists (24 a pair), the links
 * (16), their order and its merge buffer (8): clusterPairs alone on 8.4M such
 * pairs in components of 64 rows took 41 bytes a pair (and 3 of V8 heap), in
 * components of 8 rows 76, the rest per row (see ROW_BYTES). Connected
 * components: 5-7 bytes a pair, mostly per row.
 */
export const PAIR_BYTES = {
  /** Pairs, EM masks and pattern keys or weights, besides the vectors (see above). */
  compare: 20,
  clusters: { averageLinkage: 16 + 42, connectedComponents: 16 } satisfies Record<ClusteringMethod, number>,
};

/**
 * Of those, bytes per pair on the V8 heap (average linkage's, measured as
 * above). Past the heap limit V8 aborts the process, which no error handler sees.
 */
export const PAIR_HEAP_BYTES: Record<ClusteringMethod, number> = { averageLinkage: 3, connectedComponents: 0 };

/**
 * Bytes clustering holds per record, reserved before the pairs share out the
 * rest: average linkage's per-row groups (a Map of arrays, on the heap) and
 * union-find, worst case measured as above ((76 - 41) bytes a pair at 3.5 pairs
 * a row: 124 a row, 95 of them heap); connected components' union-find and
 * numbering (~20 a row).
 */
export const ROW_BYTES: Record<ClusteringMethod, { readonly bytes: number; readonly heapBytes: number }> = {
  averageLinkage: { bytes: 128, heapBytes: 96 },
  connectedComponents: { bytes: 24, heapBytes: 0 },
};

/**
 * Share of the free memory the default budget lets candidate pairs take: the
 * rest is for what grows per record after blocking (groups, ids, the pairs file)
 * and for other processes' growth meanwhile.
 */
export const PAIR_MEMORY_SHARE = 0.75;

/** What this process can still allocate, in bytes. */
export interface MemoryHeadroom {
  /** Outside the V8 heap (typed arrays): the least of the limits that apply (see memoryHeadroom). */
  readonly bytes: number;
  /** V8 heap: its limit less what is in use. */
  readonly heapBytes: number;
  /** Where `bytes` comes from, for messages: "of memory available", "left under the address-space limit (ulimit -v)"... */
  readonly limitedBy: string;
}

/**
 * The memory this process can still take: the least of the machine's available
 * memory (MemAvailable on Linux), the cgroup's (process.availableMemory, and
 * process.constrainedMemory less the RSS), and on Linux what an address-space
 * or data-size limit (ulimit -v / -d) or strict overcommit leaves: under those
 * an ArrayBuffer allocation fails ("Array buffer allocation failed") while the
 * machine still shows free memory.
 */
export function memoryHeadroom(): MemoryHeadroom {
  const rss = process.memoryUsage.rss();
  const limits: [string, number][] = [['of memory available', freemem()]];
  const available = (process as { availableMemory?: () => number }).availableMemory?.();
  if (available !== undefined && available > 0) limits.push(['of memory available', available]);
  const constrained = process.constrainedMemory?.();
  if (constrained !== undefined && constrained > 0 && constrained < totalmem()) limits.push(['left under the memory limit (cgroup)', constrained - rss]);
  limits.push(...processLimits());
  let [limitedBy, bytes] = limits[0];
  for (const [name, value] of limits) if (value < bytes) [limitedBy, bytes] = [name, value];
  const heap = getHeapStatistics();
  return { bytes: Math.max(0, bytes), heapBytes: Math.max(0, heap.heap_size_limit - heap.used_heap_size), limitedBy };
}

/** Linux: room under the address-space and data-size limits, and under strict overcommit; nothing elsewhere. */
function processLimits(): [string, number][] {
  const found: [string, number][] = [];
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const limits = read('/proc/self/limits');
  const status = read('/proc/self/status');
  if (limits !== undefined && status !== undefined) {
    const soft = (name: string): number | undefined => {
      const match = new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(limits);
      return match ? Number(match[1]) : undefined;
    };
    const used = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const addressSpace = soft('Max address space');
    if (addressSpace !== undefined) found.push(['left under the address-space limit (ulimit -v)', addressSpace - used('VmSize')]);
    const data = soft('Max data size');
    if (data !== undefined) found.push(['left under the data-size limit (ulimit -d)', data - used('VmData')]);
  }
  if (read('/proc/sys/vm/overcommit_memory')?.trim() === '2') {
    const meminfo = read('/proc/meminfo') ?? '';
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1] ?? NaN) * 1024;
    const room = kb('CommitLimit') - kb('Committed_AS');
    if (Number.isFinite(room)) found.push(['left under the commit limit (strict overcommit)', room]);
  }
  return found;
}

/** What link()'s peak holds: bytes per candidate pair and per record, outside the heap and on it. */
export interface PairCost {
  readonly bytes: number;
  readonly heapBytes: number;
  /** Reserved up front for the records (see ROW_BYTES). */
  readonly reserved: number;
  readonly reservedHeap: number;
}

/** The cost of a job's candidate pairs (see PAIR_BYTES): its comparisons, training rules, clustering and records. */
export function pairCost(comparisons: number, trainingRules: number, clustering: ClusteringMethod, records: number): PairCost {
  const masks = 4 * Math.max(0, Math.ceil(trainingRules / 32) - 1);
  return {
    bytes: Math.max(PAIR_BYTES.compare + masks + comparisons, PAIR_BYTES.clusters[clustering]),
    heapBytes: PAIR_HEAP_BYTES[clustering],
    reserved: records * ROW_BYTES[clustering].bytes,
    reservedHeap: records * ROW_BYTES[clustering].heapBytes,
  };
}

/** The default pair budget and what it was sized to (for the error message). */
export interface PairBudget {
  readonly maxPairs: number;
  readonly basis: string;
}

/**
 * The most candidate pairs the memory left can hold through the pipeline:
 * PAIR_MEMORY_SHARE of the headroom, less what the records reserve, divided by
 * the bytes a pair takes; the same on the V8 heap; the smaller of the two.
 */
export function defaultPairBudget(cost: PairCost, headroom: MemoryHeadroom = memoryHeadroom()): PairBudget {
  const pairs = (room: number, reserved: number, perPair: number) =>
    perPair > 0 ? Math.max(0, Math.floor((room * PAIR_MEMORY_SHARE - reserved) / perPair)) : Infinity;
  const offHeap = pairs(headroom.bytes, cost.reserved, cost.bytes);
  const onHeap = pairs(headroom.heapBytes, cost.reservedHeap, cost.heapBytes);
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (onHeap < offHeap) {
    return { maxPairs: onHeap, basis: `the default, sized to the ${gib(headroom.heapBytes)} the V8 heap can still grow by (node --max-old-space-size raises it), ${cost.heapBytes} bytes a pair` };
  }
  return { maxPairs: offHeap, basis: `the default, sized to the ${gib(headroom.bytes)} ${headroom.limitedBy}, ${cost.bytes} bytes a pair` };
}

/**
 * Pairs a broad rule may make per true pair the data is estimated to hold (see
 * expectedTruePairs in the pipeline). A broad rule's pairs are the true pairs it
 * recovers plus chance agreements; on many records per person the first dominate
 * and the rule is what finds the dirtier copies (on `many-per-person-heavy`,
 * 2,000 people, the broad rules lift pair completeness from 0.941; figures in
 * docs/decisions/training-defaults.md). 3 keeps a broad rule whose chance pairs are
 * up to twice the true pairs; on a population of 1.7 records a person (well under
 * one true pair a record) it stays below the per-record allowance, so large runs
 * keep the rules they kept before.
 */
export const BROAD_RULE_PAIRS_PER_TRUE_PAIR = 3;

/**
 * Of the default pair budget, the share the rules' own pair counts (tight and
 * broad, added up before overlaps are removed) may take once the broad rules are
 * sized to the true pairs: the rest is margin for the estimate and the overlaps.
 */
export const BROAD_RULE_MEMORY_SHARE = 0.5;

/**
 * The most pairs one broad rule may make and be kept: BROAD_RULE_PAIRS_PER_RECORD
 * per record, BROAD_RULE_MIN_PAIRS, or BROAD_RULE_PAIRS_PER_TRUE_PAIR per expected
 * true pair, whichever is largest.
 */
export function broadRuleAllowance(records: number, expectedTruePairs: number): number {
  return Math.max(BROAD_RULE_PAIRS_PER_RECORD * records, BROAD_RULE_MIN_PAIRS, BROAD_RULE_PAIRS_PER_TRUE_PAIR * expectedTruePairs);
}
