// Why no global set of emitted pairs: overlapping rules find some pairs more than
// once, and the obvious de-duplication is a hash set of every emitted pair. At 1M
// records (tens of millions of pairs) that does not work: a V8 Set stops at 2^24
// (16.7M) entries ("Set maximum size exceeded"), costs ~50 bytes per pair key
// (measured: 16.7M keys = ~850 MB, over 10 s to fill), and sharding it only adds
// more. Instead rule k keeps a pair only if no earlier rule covers it, an O(1) test
// per earlier rule from arrays blocking already holds (key id / sorted-neighbourhood
// rank per record, interleaved by row, then gathered by position for locality).
// Memory stays the pairs themselves (8 bytes each) plus O(records x rules).
import { resolveRule, type InternalBlockingRule, type KeyBlockingRule, type SortedNeighbourhoodRule } from './compile-rule.js';
import { countCompiledRulePairs } from './count-pairs.js';
import { PairBudgetExceededError } from './errors.js';
import { PairWriter } from './pair-writer.js';
import type { BlockingRule, BlockingTable, CandidatePairs, CompiledBlockingRule, GeneratePairsOptions } from './types.js';

export const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * What the earlier rules know about the records of rule k, laid out by rule k's
 * order position rather than by row: `at[p * stride + e]` is earlier rule e's
 * coordinate of the record at position p (key id - 1 for a key rule, rank for a
 * sorted neighbourhood; -1 = no key; stride = number of earlier rules). Rule e
 * covers positions (i, j) when both coordinates are present and
 * |at[i][e] - at[j][e]| < reach[e] (reach 1 = equal keys). Gathering once per
 * record turns the per-pair lookups into nearby reads: by row they would be
 * random loads, one or two cache misses per pair and rule.
 */
interface EarlierCoverage {
  readonly at: Int32Array;
  readonly stride: number;
  readonly reach: Int32Array;
}

/**
 * Every rule's coordinate of every record, row-major (`coordinates[row * stride + e]`):
 * gathering a record's coordinates under all earlier rules then costs one
 * random cache line instead of one per rule. Filled in tiles of rows so both the
 * per-rule reads and the interleaved writes stay sequential.
 */
function rowCoordinates(rules: readonly InternalBlockingRule[], size: number): Int32Array {
  const stride = rules.length;
  const coordinates = new Int32Array(size * stride);
  const TILE = 4096;
  for (let start = 0; start < size; start += TILE) {
    const end = Math.min(size, start + TILE);
    for (let e = 0; e < stride; e++) {
      const rule = rules[e];
      if (rule.kind === 'key') {
        const keyIds = rule.keyIds;
        for (let r = start; r < end; r++) coordinates[r * stride + e] = keyIds[r] - 1;
      } else {
        const rank = rule.rank;
        for (let r = start; r < end; r++) coordinates[r * stride + e] = rank[r];
      }
    }
  }
  return coordinates;
}

/**
 * Positions of `order` that can take part in a pair: all of them for a sorted
 * neighbourhood, only those in blocks of two or more for a key rule (a record
 * alone under its key pairs with nobody, so its earlier coordinates are never read).
 */
function pairablePositions(rule: InternalBlockingRule): Uint32Array | undefined {
  if (rule.kind !== 'key') return undefined;
  const { blockStart, keyCount, order } = rule;
  let m = 0;
  for (let k = 1; k <= keyCount; k++) {
    const size = blockStart[k + 1] - blockStart[k];
    if (size >= 2) m += size;
  }
  if (m === order.length) return undefined;
  const positions = new Uint32Array(m);
  for (let k = 1, i = 0; k <= keyCount; k++) {
    const end = blockStart[k + 1];
    if (end - blockStart[k] < 2) continue;
    for (let p = blockStart[k]; p < end; p++) positions[i++] = p;
  }
  return positions;
}

/**
 * Coordinates of rule `k`'s positions under rules 0..k-1, from the row-major
 * table (`all` coordinates per row), into `scratch`: one buffer serves every rule
 * instead of a fresh zero-filled one each. Only the positions that emission
 * reads are written (stale values elsewhere are never looked at).
 */
function gatherEarlier(
  rules: readonly InternalBlockingRule[],
  k: number,
  coordinates: Int32Array,
  all: number,
  scratch: Int32Array,
): EarlierCoverage {
  const rule = rules[k];
  const order = rule.order;
  const reach = Int32Array.from(rules.slice(0, k), (other) => (other.kind === 'key' ? 1 : other.window));
  if (k === 0) return { at: scratch, stride: 0, reach };
  copyEarlier(order, pairablePositions(rule), coordinates, all, k, scratch);
  return { at: scratch, stride: k, reach };
}

/**
 * at[p * k + e] = coordinates[order[p] * all + e] for e < k, at the given
 * positions (all of them when undefined). A function of its own: compiled
 * on-stack inside gatherEarlier, the code after the loop bailed out of it on
 * every later rule.
 */
function copyEarlier(order: Uint32Array, positions: Uint32Array | undefined, coordinates: Int32Array, all: number, k: number, at: Int32Array): void {
  const count = positions === undefined ? order.length : positions.length;
  for (let i = 0; i < count; i++) {
    const p = positions === undefined ? i : positions[i];
    const from = order[p] * all;
    const to = p * k;
    for (let e = 0; e < k; e++) at[to + e] = coordinates[from + e];
  }
}

function coveredByEarlier(earlier: EarlierCoverage, i: number, j: number): boolean {
  const { at, stride, reach } = earlier;
  const bi = i * stride;
  const bj = j * stride;
  for (let e = 0; e < stride; e++) {
    const a = at[bi + e];
    const b = at[bj + e];
    if (a >= 0 && b >= 0 && (a > b ? a - b : b - a) < reach[e]) return true;
  }
  return false;
}

function gatherSources(order: Uint32Array, source: Uint16Array): Uint16Array {
  const at = new Uint16Array(order.length);
  for (let p = 0; p < order.length; p++) at[p] = source[order[p]];
  return at;
}

function emitKeyRule(
  rule: KeyBlockingRule,
  earlier: EarlierCoverage,
  sourceAt: Uint16Array | undefined,
  out: PairWriter,
): void {
  const { order, blockStart, keyCount } = rule;
  const checkEarlier = earlier.stride > 0;
  for (let k = 1; k <= keyCount; k++) {
    const start = blockStart[k];
    const end = blockStart[k + 1];
    if (end - start < 2) continue;
    for (let i = start; i < end - 1; i++) {
      const left = order[i];
      for (let j = i + 1; j < end; j++) {
        if (sourceAt !== undefined && sourceAt[i] === sourceAt[j]) continue;
        if (checkEarlier && coveredByEarlier(earlier, i, j)) continue;
        // rows ascend within a block, so left < right
        out.push(left, order[j]);
      }
    }
  }
}

function emitSortedNeighbourhood(
  rule: SortedNeighbourhoodRule,
  earlier: EarlierCoverage,
  sourceAt: Uint16Array | undefined,
  out: PairWriter,
): void {
  const { order, window } = rule;
  const m = order.length;
  const checkEarlier = earlier.stride > 0;
  for (let i = 0; i < m - 1; i++) {
    const a = order[i];
    const end = Math.min(m, i + window);
    for (let j = i + 1; j < end; j++) {
      if (sourceAt !== undefined && sourceAt[i] === sourceAt[j]) continue;
      if (checkEarlier && coveredByEarlier(earlier, i, j)) continue;
      const b = order[j];
      if (a < b) out.push(a, b);
      else out.push(b, a);
    }
  }
}

/**
 * Generates the candidate pairs of a list of blocking rules: their union, each
 * pair once (attributed to the first rule that finds it), left < right, in an
 * order that depends only on the table and the rules (rule, then key order,
 * then row). In link mode only pairs of records from different sources.
 *
 * The budget is checked before any pair is stored: a rule that alone exceeds
 * `maxPairs` throws PairBudgetExceededError, from the rules' counts. Their sum is
 * an upper bound of the union (rules overlap), so when only that sum exceeds the
 * budget, a first pass counts the union without storing a pair and throws naming
 * the rule at which it passes the budget; a union within budget is then generated
 * in a second pass. Generating up to the budget and failing there held a budget's
 * worth of pairs first: with a budget sized to the memory free (link()), that
 * memory was then gone before the error.
 *
 * Rules compiled on this table (compileBlockingRule) are used without deriving
 * their keys again; generation only reads them, so they stay valid for covers().
 */
export function generatePairs(
  table: BlockingTable,
  rules: readonly (BlockingRule | CompiledBlockingRule)[],
  options: GeneratePairsOptions,
): CandidatePairs {
  const { mode } = options;
  const maxPairs = options.maxPairs ?? Number.POSITIVE_INFINITY;
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!(maxPairs >= 0)) throw new RangeError(`maxPairs must be a non-negative number (got ${String(options.maxPairs)})`);
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer (got ${String(options.chunkSize)})`);
  }
  if (mode !== 'dedupe' && mode !== 'link' && mode !== 'link_and_dedupe') {
    throw new RangeError(`Unknown link mode '${String(mode)}'`);
  }

  const compiled = rules.map((rule) => resolveRule(table, rule));
  let sum = 0;
  for (const rule of compiled) {
    const count = countCompiledRulePairs(rule, table, mode);
    if (count > maxPairs) throw new PairBudgetExceededError(rule.name, count, maxPairs, false, options.budgetBasis);
    sum += count;
  }
  const budget = { maxPairs, basis: options.budgetBasis };
  if (sum > maxPairs) emitRules(table, compiled, mode, new PairWriter(chunkSize, 0), budget);
  const out = new PairWriter(chunkSize, maxPairs);
  const countsByRule = emitRules(table, compiled, mode, out, budget);
  return { count: out.count, chunks: out.finish(), countsByRule };
}

/**
 * Emits the pairs of every rule into `out`, each pair once (see generatePairs),
 * and returns the pairs each rule added; throws PairBudgetExceededError after the
 * rule that brings them past the budget.
 */
function emitRules(
  table: BlockingTable,
  compiled: readonly InternalBlockingRule[],
  mode: GeneratePairsOptions['mode'],
  out: PairWriter,
  budget: { readonly maxPairs: number; readonly basis: string | undefined },
): number[] {
  const link = mode === 'link';
  const countsByRule: number[] = [];
  // The last rule is never an earlier one, so it needs no coordinates.
  const earlierRules = compiled.slice(0, -1);
  const coordinates = rowCoordinates(earlierRules, table.size);
  let longest = 0;
  for (const rule of compiled) longest = Math.max(longest, rule.order.length);
  const scratch = new Int32Array(longest * earlierRules.length);
  for (let k = 0; k < compiled.length; k++) {
    const rule = compiled[k];
    const earlier = gatherEarlier(compiled, k, coordinates, earlierRules.length, scratch);
    const sourceAt = link ? gatherSources(rule.order, table.source) : undefined;
    const before = out.count;
    if (rule.kind === 'key') emitKeyRule(rule, earlier, sourceAt, out);
    else emitSortedNeighbourhood(rule, earlier, sourceAt, out);
    if (out.count > budget.maxPairs) throw new PairBudgetExceededError(rule.name, out.count, budget.maxPairs, true, budget.basis);
    countsByRule.push(out.count - before);
  }
  return countsByRule;
}
