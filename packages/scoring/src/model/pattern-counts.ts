import type { ComparisonVectors, PairChunk, PatternCounts } from '../types.js';

/** Above this many possible patterns a pattern's index is looked up in a Map instead of a dense array. */
const DENSE_PATTERN_LIMIT = 1 << 20;

/** Most sessions {@link countSessionPatterns} takes: one bit each in a pair's 32-bit membership mask. */
export const MAX_PATTERN_SESSIONS = 32;

/**
 * Counts the distinct comparison vectors (patterns) of candidate pairs, so EM
 * costs one step per pattern instead of one per pair. `vectors[i]` holds the
 * levels of `chunks[i]`'s pairs; when `keep` is given only the pairs it accepts
 * are counted. Patterns come out in ascending lexicographic order (deterministic).
 */
export function countPatterns(
  chunks: readonly PairChunk[],
  vectors: readonly ComparisonVectors[],
  keep?: (left: number, right: number) => boolean,
): PatternCounts {
  if (keep === undefined) return countSessionPatterns(chunks, vectors, undefined, 0).all;
  const membership = chunks.map(({ left, right }) => {
    const mask = new Uint32Array(left.length);
    for (let k = 0; k < left.length; k++) mask[k] = keep(left[k], right[k]) ? 1 : 0;
    return mask;
  });
  return countSessionPatterns(chunks, vectors, membership, 1).sessions[0];
}

/**
 * The patterns of all candidate pairs and of each session's pairs in one pass:
 * bit s of `membership[i][k]` says pair k of chunk i belongs to session s (an EM
 * training session, see trainModel). Each session's counts equal
 * countPatterns(chunks, vectors, pair in session s). Each pair's pattern is
 * computed once instead of once per session: FEBRL4's 13 counts (all pairs and
 * 12 sessions) showed ~70 ms in a CPU profile, which inflates small loops.
 */
export function countSessionPatterns(
  chunks: readonly PairChunk[],
  vectors: readonly ComparisonVectors[],
  membership: readonly Uint32Array[] | undefined,
  sessions: number,
): { all: PatternCounts; sessions: PatternCounts[] } {
  if (chunks.length !== vectors.length) {
    throw new Error(`countPatterns: ${chunks.length} pair chunks but ${vectors.length} comparison vector chunks`);
  }
  if (!Number.isInteger(sessions) || sessions < 0 || sessions > MAX_PATTERN_SESSIONS) {
    throw new RangeError(`countPatterns: ${sessions} sessions, expected 0 to ${MAX_PATTERN_SESSIONS}`);
  }
  if (sessions > 0 && (membership === undefined || membership.length !== chunks.length)) {
    throw new Error('countPatterns: a membership mask is needed for every chunk');
  }
  const width = vectors.length > 0 ? vectors[0].width : 0;
  // Each comparison vector is read as a mixed-radix number whose digits are the
  // levels; the radix of a digit is the largest level seen plus one, so ascending
  // numbers are ascending vectors.
  const radix = new Array<number>(width).fill(1);
  for (let i = 0; i < vectors.length; i++) {
    const { levels } = vectors[i];
    if (vectors[i].width !== width) {
      throw new Error(`countPatterns: chunk ${i} has width ${vectors[i].width}, expected ${width}`);
    }
    if (levels.length !== chunks[i].left.length * width) {
      throw new Error(`countPatterns: chunk ${i} has ${chunks[i].left.length} pairs but ${levels.length / width} vectors`);
    }
    if (membership !== undefined && membership[i].length !== chunks[i].left.length) {
      throw new Error(`countPatterns: chunk ${i} has ${chunks[i].left.length} pairs but ${membership[i].length} membership masks`);
    }
    for (let offset = 0; offset < levels.length; offset += width) {
      for (let c = 0; c < width; c++) if (levels[offset + c] >= radix[c]) radix[c] = levels[offset + c] + 1;
    }
  }
  let space = 1;
  for (let c = 0; c < width; c++) space *= radix[c];
  if (space > Number.MAX_SAFE_INTEGER) return countByStringKey(chunks, vectors, width, membership, sessions);

  // Pass 1: the pattern key of every pair, and which keys occur.
  const keysByChunk = vectors.map(({ levels }) => {
    const keys = new Float64Array(levels.length / (width || 1));
    for (let k = 0, offset = 0; k < keys.length; k++, offset += width) {
      let key = 0;
      for (let c = 0; c < width; c++) key = key * radix[c] + levels[offset + c];
      keys[k] = key;
    }
    return keys;
  });
  const dense = space <= DENSE_PATTERN_LIMIT ? new Int32Array(space).fill(-1) : null;
  const sparse = dense ? null : new Map<number, number>();
  const occurring: number[] = [];
  for (const keys of keysByChunk) {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (dense) {
        if (dense[key] < 0) ((dense[key] = 0), occurring.push(key));
      } else if (!sparse!.has(key)) {
        sparse!.set(key, 0);
        occurring.push(key);
      }
    }
  }
  occurring.sort((a, b) => a - b);
  occurring.forEach((key, p) => (dense ? (dense[key] = p) : sparse!.set(key, p)));

  // Pass 2: counts per (set, pattern); set 0 is all pairs, set s + 1 is session s.
  const patternCount = occurring.length;
  const counts = new Float64Array((sessions + 1) * patternCount);
  for (let i = 0; i < keysByChunk.length; i++) {
    const keys = keysByChunk[i];
    const mask = membership?.[i];
    for (let k = 0; k < keys.length; k++) {
      const p = dense ? dense[keys[k]] : sparse!.get(keys[k])!;
      counts[p] += 1;
      for (let bits = mask === undefined ? 0 : mask[k]; bits !== 0; bits &= bits - 1) {
        counts[(32 - Math.clz32(bits & -bits)) * patternCount + p] += 1;
      }
    }
  }
  const decoded = new Uint8Array(patternCount * width);
  for (let p = 0; p < patternCount; p++) {
    let key = occurring[p];
    for (let c = width - 1; c >= 0; c--) {
      decoded[p * width + c] = key % radix[c];
      key = Math.floor(key / radix[c]);
    }
  }
  const countsOf = (set: number): PatternCounts => {
    const row = counts.subarray(set * patternCount, (set + 1) * patternCount);
    let present = 0;
    for (let p = 0; p < patternCount; p++) if (row[p] > 0) present++;
    const patterns = new Uint8Array(present * width);
    const kept = new Float64Array(present);
    for (let p = 0, q = 0; p < patternCount; p++) {
      if (row[p] === 0) continue;
      patterns.set(decoded.subarray(p * width, (p + 1) * width), q * width);
      kept[q++] = row[p];
    }
    return { width, patterns, counts: kept };
  };
  return { all: countsOf(0), sessions: Array.from({ length: sessions }, (_, s) => countsOf(s + 1)) };
}

/** Fallback for vectors too wide for an exact numeric key (not expected in practice). */
function countByStringKey(
  chunks: readonly PairChunk[],
  vectors: readonly ComparisonVectors[],
  width: number,
  membership: readonly Uint32Array[] | undefined,
  sessions: number,
): { all: PatternCounts; sessions: PatternCounts[] } {
  const count = (inSet: (i: number, k: number) => boolean): PatternCounts => {
    const index = new Map<string, number>();
    const found: Uint8Array[] = [];
    const counts: number[] = [];
    for (let i = 0; i < chunks.length; i++) {
      const { levels } = vectors[i];
      for (let k = 0, offset = 0; k < chunks[i].left.length; k++, offset += width) {
        if (!inSet(i, k)) continue;
        const vector = levels.subarray(offset, offset + width);
        const key = String.fromCharCode(...vector);
        const p = index.get(key);
        if (p === undefined) {
          index.set(key, found.length);
          found.push(vector.slice());
          counts.push(1);
        } else counts[p] += 1;
      }
    }
    const patterns = new Uint8Array(found.length * width);
    found.forEach((vector, p) => patterns.set(vector, p * width));
    return { width, patterns, counts: Float64Array.from(counts) };
  };
  return {
    all: count(() => true),
    sessions: Array.from({ length: sessions }, (_, s) => count((i, k) => (membership![i][k] & (1 << s)) !== 0)),
  };
}
