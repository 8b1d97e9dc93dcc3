import type { ComparisonVectors, PairChunk, PatternCounts } from '../types.js';

/** Above this many possible patterns the counts live in a Map instead of a dense array. */
const DENSE_PATTERN_LIMIT = 1 << 20;

/**
 * Counts the distinct comparison vectors (patterns) of candidate pairs, so EM
 * costs one step per pattern instead of one per pair. `vectors[i]` holds the
 * levels of `chunks[i]`'s pairs; when `keep` is given only the pairs it accepts
 * are counted. Patterns come out in ascending mixed-radix order (deterministic).
 */
export function countPatterns(
  chunks: readonly PairChunk[],
  vectors: readonly ComparisonVectors[],
  keep?: (left: number, right: number) => boolean,
): PatternCounts {
  if (chunks.length !== vectors.length) {
    throw new Error(`countPatterns: ${chunks.length} pair chunks but ${vectors.length} comparison vector chunks`);
  }
  const width = vectors.length > 0 ? vectors[0].width : 0;
  // Each comparison vector is read as a mixed-radix number whose digits are the
  // levels; the radix of a digit is the largest level seen plus one.
  const radix = new Array<number>(width).fill(1);
  for (let i = 0; i < vectors.length; i++) {
    const { levels } = vectors[i];
    if (vectors[i].width !== width) {
      throw new Error(`countPatterns: chunk ${i} has width ${vectors[i].width}, expected ${width}`);
    }
    if (levels.length !== chunks[i].left.length * width) {
      throw new Error(`countPatterns: chunk ${i} has ${chunks[i].left.length} pairs but ${levels.length / width} vectors`);
    }
    for (let offset = 0; offset < levels.length; offset += width) {
      for (let c = 0; c < width; c++) if (levels[offset + c] >= radix[c]) radix[c] = levels[offset + c] + 1;
    }
  }
  const stride = new Array<number>(width);
  let space = 1;
  for (let c = width - 1; c >= 0; c--) {
    stride[c] = space;
    space *= radix[c];
  }
  if (space > Number.MAX_SAFE_INTEGER) return countByStringKey(chunks, vectors, width, keep);

  const dense = space <= DENSE_PATTERN_LIMIT ? new Float64Array(space) : null;
  const sparse = dense ? null : new Map<number, number>();
  for (let i = 0; i < chunks.length; i++) {
    const { left, right } = chunks[i];
    const { levels } = vectors[i];
    for (let k = 0, offset = 0; k < left.length; k++, offset += width) {
      if (keep && !keep(left[k], right[k])) continue;
      let key = 0;
      for (let c = 0; c < width; c++) key += levels[offset + c] * stride[c];
      if (dense) dense[key] += 1;
      else sparse!.set(key, (sparse!.get(key) ?? 0) + 1);
    }
  }

  const keys: number[] = [];
  if (dense) {
    for (let key = 0; key < space; key++) if (dense[key] > 0) keys.push(key);
  } else {
    keys.push(...sparse!.keys());
    keys.sort((a, b) => a - b);
  }
  const patterns = new Uint8Array(keys.length * width);
  const counts = new Float64Array(keys.length);
  for (let p = 0; p < keys.length; p++) {
    const key = keys[p];
    counts[p] = dense ? dense[key] : sparse!.get(key)!;
    for (let c = 0; c < width; c++) patterns[p * width + c] = Math.floor(key / stride[c]) % radix[c];
  }
  return { width, patterns, counts };
}

/** Fallback for vectors too wide for an exact numeric key (not expected in practice). */
function countByStringKey(
  chunks: readonly PairChunk[],
  vectors: readonly ComparisonVectors[],
  width: number,
  keep?: (left: number, right: number) => boolean,
): PatternCounts {
  const index = new Map<string, number>();
  const found: Uint8Array[] = [];
  const counts: number[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const { left, right } = chunks[i];
    const { levels } = vectors[i];
    for (let k = 0, offset = 0; k < left.length; k++, offset += width) {
      if (keep && !keep(left[k], right[k])) continue;
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
}
