// The generator's own module: pure-rand's index loads every generator and
// distribution (~25 ms at start-up, in this thread and in every worker).
import { xoroshiro128plus } from 'pure-rand/generator/XoroShiro';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { LinkMode, PairChunk } from '../types.js';

/** Which pairs make up the comparison space: the link mode. */
export type SamplingMode = LinkMode;

export interface SampleRandomPairsOptions {
  /** Number of records (rows 0..size-1). */
  readonly size: number;
  /** Source index of every record. */
  readonly source: Uint16Array;
  /** dedupe / link_and_dedupe: any two records; link: only records of different sources. */
  readonly mode: SamplingMode;
  readonly sampleSize: number;
  readonly seed: number;
}

/**
 * Draws a seeded sample of distinct random pairs from the whole comparison space
 * (left < right, sorted by left then right), on which u probabilities are
 * estimated: random pairs are almost all non-matches. When the space holds no
 * more than `sampleSize` pairs, every pair is taken.
 */
export function sampleRandomPairs(options: SampleRandomPairsOptions): PairChunk {
  const { size, source, mode, seed } = options;
  const sampleSize = Math.max(0, Math.floor(options.sampleSize));
  if (source.length < size) throw new Error(`sampleRandomPairs: source has ${source.length} rows, expected ${size}`);
  if (size * size > Number.MAX_SAFE_INTEGER) throw new Error(`sampleRandomPairs: ${size} records is too many to sample pairs from`);
  const groups = groupBySource(size, source);
  const total = mode === 'link' ? crossSourcePairCount(groups) : (size * (size - 1)) / 2;
  const rng = xoroshiro128plus(seed | 0);

  let keys: Float64Array;
  if (total <= sampleSize) {
    keys = allPairKeys(size, groups, mode, total).sort();
  } else if (sampleSize * 2 >= total) {
    // Dense sample: enumerate and keep a random subset (partial Fisher-Yates);
    // rejection of duplicates would approach coupon-collector cost here.
    const all = allPairKeys(size, groups, mode, total);
    for (let i = 0; i < sampleSize; i++) {
      const j = i + Math.floor(uniform(rng) * (total - i));
      const swap = all[i];
      all[i] = all[j];
      all[j] = swap;
    }
    keys = all.subarray(0, sampleSize).sort();
  } else {
    // Already sorted.
    keys = drawDistinctPairKeys(size, groups, mode, sampleSize, rng);
  }
  return keysToChunk(keys, size);
}

/**
 * Pairs per part of a sample drawn in parts (see sampleRandomPairsPart): a
 * worker holds one part's pairs and vectors at a time. Part k is its own
 * random stream, so the sample does not depend on who draws which part.
 */
export const SAMPLE_PART_PAIRS = 16_384;

/** Options of {@link sampleRandomPairsPart}: a sample's options and which part to draw. */
export interface RandomPairsPartOptions extends SampleRandomPairsOptions {
  /** 0 .. samplePartCount(sampleSize) - 1. */
  readonly part: number;
}

/** Number of pairs in the comparison space of `mode` over records of the given sources. */
export function comparisonSpaceSize(size: number, source: Uint16Array, mode: SamplingMode): number {
  return mode === 'link' ? crossSourcePairCount(groupsOf(size, source)) : (size * (size - 1)) / 2;
}

/** Parts of SAMPLE_PART_PAIRS pairs (the last may be shorter) that make a sample of sampleSize pairs. */
export function samplePartCount(sampleSize: number): number {
  return Math.ceil(Math.max(0, Math.floor(sampleSize)) / SAMPLE_PART_PAIRS);
}

/**
 * One part of a sample of `sampleSize` uniform random pairs drawn with
 * replacement, for comparison spaces much larger than the sample (a pair drawn
 * twice is as rare as it is harmless to u). Part k draws from the seeded
 * generator jumped k times, an independent stream, so any worker thread can draw
 * any part and the whole sample does not depend on the number of threads.
 */
export function sampleRandomPairsPart(options: RandomPairsPartOptions): PairChunk {
  const { size, source, mode, seed, part } = options;
  const sampleSize = Math.max(0, Math.floor(options.sampleSize));
  if (!Number.isInteger(part) || part < 0 || part >= samplePartCount(sampleSize)) {
    throw new RangeError(`sampleRandomPairsPart: part ${part} is not one of the ${samplePartCount(sampleSize)} parts`);
  }
  const groups = groupsOf(size, source);
  if ((mode === 'link' ? crossSourcePairCount(groups) : size * (size - 1)) === 0) throw new RangeError('sampleRandomPairsPart: the comparison space is empty');
  let rng = xoroshiro128plus(seed | 0);
  for (let k = 0; k < part; k++) rng = rng.jump!();
  const count = Math.min(SAMPLE_PART_PAIRS, sampleSize - part * SAMPLE_PART_PAIRS);
  const drawKey = pairKeyDrawer(size, groups, mode);
  const left = new Uint32Array(count);
  const right = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    const key = drawKey(rng);
    const l = Math.floor(key / size);
    left[k] = l;
    right[k] = key - l * size;
  }
  return { left, right };
}

/** groupBySource, kept for the last source array seen (a worker draws several parts from one table). */
let lastGroups: { source: Uint16Array; size: number; groups: SourceGroups } | undefined;
/** Rows grouped by source (cached for the last source array seen). */
export function groupsOf(size: number, source: Uint16Array): SourceGroups {
  if (lastGroups?.source !== source || lastGroups.size !== size) lastGroups = { source, size, groups: groupBySource(size, source) };
  return lastGroups.groups;
}

export interface SourceGroups {
  /** Rows ordered by source. */
  readonly order: Uint32Array;
  /** Rows of source s are order[start[s] .. start[s + 1]). */
  readonly start: number[];
}

function groupBySource(size: number, source: Uint16Array): SourceGroups {
  let sources = 0;
  for (let row = 0; row < size; row++) if (source[row] + 1 > sources) sources = source[row] + 1;
  const start = new Array<number>(sources + 1).fill(0);
  for (let row = 0; row < size; row++) start[source[row] + 1]++;
  for (let s = 0; s < sources; s++) start[s + 1] += start[s];
  const cursor = start.slice();
  const order = new Uint32Array(size);
  for (let row = 0; row < size; row++) order[cursor[source[row]]++] = row;
  return { order, start };
}

function crossSourcePairCount({ start }: SourceGroups): number {
  const size = start[start.length - 1];
  let same = 0;
  for (let s = 0; s + 1 < start.length; s++) {
    const n = start[s + 1] - start[s];
    same += n * n;
  }
  return (size * size - same) / 2;
}

/** A uniform double in [0, 1) with 53 random bits. */
function uniform(rng: RandomGenerator): number {
  const high = rng.unsafeNext() >>> 5;
  const low = rng.unsafeNext() >>> 6;
  return (high * 67108864 + low) / 9007199254740992;
}

function allPairKeys(size: number, groups: SourceGroups, mode: SamplingMode, total: number): Float64Array {
  const keys = new Float64Array(total);
  let n = 0;
  if (mode !== 'link') {
    for (let left = 0; left < size; left++) {
      for (let right = left + 1; right < size; right++) keys[n++] = left * size + right;
    }
    return keys;
  }
  // Walk source blocks so the cost follows the number of cross-source pairs,
  // not size squared (one huge source next to a tiny one).
  const { order, start } = groups;
  for (let s = 0; s + 1 < start.length; s++) {
    for (let t = s + 1; t + 1 < start.length; t++) {
      for (let i = start[s]; i < start[s + 1]; i++) {
        const a = order[i];
        for (let j = start[t]; j < start[t + 1]; j++) {
          const b = order[j];
          keys[n++] = a < b ? a * size + b : b * size + a;
        }
      }
    }
  }
  return keys;
}

/**
 * Draws uniform random pairs until `sampleSize` distinct ones are found:
 * draw, sort, drop duplicates, top up the missing ones (duplicates are rare
 * since the sample is under half the space; sorting typed keys is much faster
 * than a Set of a million doubles). Returns the keys sorted.
 */
function drawDistinctPairKeys(
  size: number,
  groups: SourceGroups,
  mode: SamplingMode,
  sampleSize: number,
  rng: RandomGenerator,
): Float64Array {
  const drawKey = pairKeyDrawer(size, groups, mode);
  let keys: Float64Array = new Float64Array(sampleSize);
  let distinct = 0;
  let drawn: Float64Array = keys;
  while (distinct < sampleSize) {
    // Only the top-up draws are sorted, then merged with the distinct keys so far:
    // a second full sort of the sample cost as much as the first.
    for (let k = 0; k < drawn.length; k++) drawn[k] = drawKey(rng);
    drawn.sort();
    keys = drawn === keys ? keys : mergeSorted(keys.subarray(0, distinct), drawn, sampleSize);
    distinct = 1;
    for (let k = 1; k < keys.length; k++) if (keys[k] !== keys[distinct - 1]) keys[distinct++] = keys[k];
    drawn = new Float64Array(sampleSize - distinct);
  }
  return keys;
}

/**
 * A uniform draw of one pair of the comparison space, as the key left * size + right
 * (left < right). In link mode the first record is drawn with probability
 * proportional to its number of cross-source partners and the second uniformly
 * among the other sources' records, which is uniform over cross-source pairs even
 * when one source dwarfs the others.
 */
function pairKeyDrawer(size: number, { order, start }: SourceGroups, mode: SamplingMode): (rng: RandomGenerator) => number {
  if (mode !== 'link') {
    return (rng) => {
      const a = Math.floor(uniform(rng) * size);
      let b = Math.floor(uniform(rng) * (size - 1));
      if (b >= a) b++;
      return a < b ? a * size + b : b * size + a;
    };
  }
  const sources = start.length - 1;
  const cumulative = new Float64Array(sources);
  let weight = 0;
  for (let s = 0; s < sources; s++) {
    const n = start[s + 1] - start[s];
    weight += n * (size - n);
    cumulative[s] = weight;
  }
  return (rng) => {
    const target = uniform(rng) * weight;
    let s = 0;
    while (s < sources - 1 && cumulative[s] <= target) s++;
    const n = start[s + 1] - start[s];
    const a = order[start[s] + Math.floor(uniform(rng) * n)];
    const other = Math.floor(uniform(rng) * (size - n));
    const b = order[other < start[s] ? other : other + n];
    return a < b ? a * size + b : b * size + a;
  };
}

/** The two sorted arrays merged into a new sorted array of `length` slots. */
function mergeSorted(a: Float64Array, b: Float64Array, length: number): Float64Array {
  const out = new Float64Array(length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

function keysToChunk(keys: Float64Array, size: number): PairChunk {
  const left = new Uint32Array(new SharedArrayBuffer(keys.length * 4));
  const right = new Uint32Array(new SharedArrayBuffer(keys.length * 4));
  for (let k = 0; k < keys.length; k++) {
    const l = Math.floor(keys[k] / size);
    left[k] = l;
    right[k] = keys[k] - l * size;
  }
  return { left, right };
}
