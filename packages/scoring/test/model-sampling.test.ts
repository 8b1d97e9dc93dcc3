import { describe, expect, it } from 'vitest';
import {
  comparisonSpaceSize,
  estimateU,
  exactAgreement,
  SAMPLE_PART_PAIRS,
  sampleRandomPairs,
  sampleRandomPairsPart,
  samplePartCount,
  uFromLevelCounts,
  UNOBSERVED_LEVEL_PSEUDO_COUNT,
} from '../src/model/index.js';
import type { Comparison, PairChunk } from '../src/types.js';

function pairsOf(chunk: PairChunk): [number, number][] {
  return Array.from(chunk.left, (left, k) => [left, chunk.right[k]]);
}

function expectDistinctOrderedPairs(chunk: PairChunk): void {
  const seen = new Set<string>();
  for (const [left, right] of pairsOf(chunk)) {
    expect(left).toBeLessThan(right);
    seen.add(`${left}:${right}`);
  }
  expect(seen.size).toBe(chunk.left.length);
}

describe('sampleRandomPairs', () => {
  const size = 1000;
  const oneSource = new Uint16Array(size);

  it('draws the requested number of distinct pairs with left < right', () => {
    const sample = sampleRandomPairs({ size, source: oneSource, mode: 'dedupe', sampleSize: 5000, seed: 42 });
    expect(sample.left.length).toBe(5000);
    expectDistinctOrderedPairs(sample);
    for (const [left, right] of pairsOf(sample)) expect(right).toBeLessThan(size);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = sampleRandomPairs({ size, source: oneSource, mode: 'dedupe', sampleSize: 500, seed: 7 });
    const b = sampleRandomPairs({ size, source: oneSource, mode: 'dedupe', sampleSize: 500, seed: 7 });
    const c = sampleRandomPairs({ size, source: oneSource, mode: 'dedupe', sampleSize: 500, seed: 8 });
    expect(pairsOf(a)).toEqual(pairsOf(b));
    expect(pairsOf(a)).not.toEqual(pairsOf(c));
  });

  it('returns SharedArrayBuffer-backed arrays', () => {
    const sample = sampleRandomPairs({ size, source: oneSource, mode: 'dedupe', sampleSize: 10, seed: 1 });
    expect(sample.left.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(sample.right.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('samples spread over the whole table', () => {
    const sample = sampleRandomPairs({ size, source: oneSource, mode: 'dedupe', sampleSize: 20000, seed: 3 });
    const touched = new Set([...sample.left, ...sample.right]);
    expect(touched.size).toBeGreaterThan(990);
  });

  it('in link mode pairs only records of different sources, even with one dominant source', () => {
    const source = Uint16Array.from({ length: size }, (_, row) => (row % 100 === 0 ? 1 + (row % 3) : 0));
    const sample = sampleRandomPairs({ size, source, mode: 'link', sampleSize: 3000, seed: 11 });
    expect(sample.left.length).toBe(3000);
    expectDistinctOrderedPairs(sample);
    for (const [left, right] of pairsOf(sample)) expect(source[left]).not.toBe(source[right]);
  });

  it('in link_and_dedupe mode pairs records of the same source too', () => {
    const source = Uint16Array.from({ length: size }, (_, row) => row % 2);
    const sample = sampleRandomPairs({ size, source, mode: 'link_and_dedupe', sampleSize: 2000, seed: 5 });
    const sameSource = pairsOf(sample).filter(([l, r]) => source[l] === source[r]).length;
    expect(sameSource).toBeGreaterThan(800);
    expect(sameSource).toBeLessThan(1200);
  });

  it('takes every pair when the space is smaller than the sample', () => {
    const all = sampleRandomPairs({ size: 5, source: new Uint16Array(5), mode: 'dedupe', sampleSize: 100, seed: 1 });
    expect(pairsOf(all)).toEqual([
      [0, 1], [0, 2], [0, 3], [0, 4], [1, 2], [1, 3], [1, 4], [2, 3], [2, 4], [3, 4],
    ]);
    const source = Uint16Array.from([0, 1, 0, 1, 1]);
    const cross = sampleRandomPairs({ size: 5, source, mode: 'link', sampleSize: 100, seed: 1 });
    expect(pairsOf(cross)).toEqual([[0, 1], [0, 3], [0, 4], [1, 2], [2, 3], [2, 4]]);
  });

  it('takes a distinct subset when the sample is most of the space', () => {
    const sample = sampleRandomPairs({ size: 10, source: new Uint16Array(10), mode: 'dedupe', sampleSize: 40, seed: 9 });
    expect(sample.left.length).toBe(40);
    expectDistinctOrderedPairs(sample);
  });

  it('returns no pairs for a single-source link', () => {
    const sample = sampleRandomPairs({ size: 50, source: new Uint16Array(50), mode: 'link', sampleSize: 10, seed: 1 });
    expect(sample.left.length).toBe(0);
  });
});

describe('sampleRandomPairsPart (a sample drawn in parts, with replacement)', () => {
  const size = 3000;
  const source = Uint16Array.from({ length: size }, (_, row) => (row % 50 === 0 ? 1 : 0));
  const options = { size, source, mode: 'link' as const, sampleSize: 150_000, seed: 4 };

  it('splits the sample into parts of SAMPLE_PART_PAIRS pairs, the last one shorter', () => {
    const sampleSize = 2 * SAMPLE_PART_PAIRS + 1000;
    expect(samplePartCount(sampleSize)).toBe(3);
    const lengths = [0, 1, 2].map((part) => sampleRandomPairsPart({ ...options, sampleSize, part }).left.length);
    expect(lengths).toEqual([SAMPLE_PART_PAIRS, SAMPLE_PART_PAIRS, 1000]);
    expect(() => sampleRandomPairsPart({ ...options, sampleSize, part: 3 })).toThrow(RangeError);
  });

  it('draws each part the same every time, from streams that differ between parts', () => {
    const first = pairsOf(sampleRandomPairsPart({ ...options, part: 1 }));
    expect(pairsOf(sampleRandomPairsPart({ ...options, part: 1 }))).toEqual(first);
    expect(pairsOf(sampleRandomPairsPart({ ...options, part: 0 })).slice(0, 100)).not.toEqual(first.slice(0, 100));
  });

  it('stays in the comparison space, uniformly: in link mode only cross-source pairs', () => {
    const pairs = pairsOf(sampleRandomPairsPart({ ...options, part: 0 }));
    for (const [left, right] of pairs) {
      expect(left).toBeLessThan(right);
      expect(source[left]).not.toBe(source[right]);
    }
    // Each of the 60 records of the small source is in about 1/60 of the pairs.
    const small = new Map<number, number>();
    for (const [left, right] of pairs) {
      const row = source[left] === 1 ? left : right;
      small.set(row, (small.get(row) ?? 0) + 1);
    }
    expect(small.size).toBe(60);
    for (const n of small.values()) expect(Math.abs(n - pairs.length / 60)).toBeLessThan(0.25 * (pairs.length / 60));
  });

  it('measures the comparison space of each mode', () => {
    expect(comparisonSpaceSize(size, source, 'dedupe')).toBe((size * (size - 1)) / 2);
    expect(comparisonSpaceSize(size, source, 'link')).toBe(60 * 2940);
  });
});

describe('estimateU', () => {
  const level = (label: string, type: 'null' | 'exact' | 'else') => ({ label, test: { type } }) as const;
  const comparisons: Comparison[] = [
    { name: 'family_name', column: 'family_name', levels: [level('null', 'null'), level('exact', 'exact'), level('else', 'else')] },
    { name: 'sex', column: 'sex', levels: [level('null', 'null'), level('exact', 'exact'), level('else', 'else')] },
    {
      name: 'given_name',
      column: 'given_name',
      levels: [level('null', 'null'), level('exact', 'exact'), { label: 'JW >= 0.9', test: { type: 'jaroWinkler', threshold: 0.9 } }, level('else', 'else')],
    },
  ];
  // Four random pairs, one row per pair: [family_name, sex, given_name] levels.
  const rows = [
    [1, 0, 1],
    [2, 0, 3],
    [2, 1, 3],
    [2, 2, 3],
  ];
  const u = estimateU([{ width: 3, levels: Uint8Array.from(rows.flat()) }], comparisons);

  it('is the share of pairs at each level among non-null pairs', () => {
    expect(u[0]).toEqual([1, 0.25, 0.75]);
    expect(u[1]).toEqual([1, 0.5, 0.5]);
  });

  it('gives unobserved levels half a pair and renormalises', () => {
    const total = 4 + UNOBSERVED_LEVEL_PSEUDO_COUNT;
    expect(u[2][1]).toBeCloseTo(1 / total, 12);
    expect(u[2][2]).toBeCloseTo(UNOBSERVED_LEVEL_PSEUDO_COUNT / total, 12);
    expect(u[2][3]).toBeCloseTo(3 / total, 12);
  });

  it('keeps the null level at 1 and every other level a distribution', () => {
    for (const row of u) {
      expect(row[0]).toBe(1);
      expect(row.slice(1).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });
});

describe('exactAgreement (the exact level counted over the whole comparison space)', () => {
  // 60 records over 3 sources, a skewed column with missing values (id 0).
  const size = 60;
  const source = Uint16Array.from({ length: size }, (_, row) => (row * 7) % 3);
  const ids = Uint32Array.from({ length: size }, (_, row) => (row % 11 === 0 ? 0 : 1 + ((row * row) % 5)));
  const column = { dictionary: ['', 'a', 'b', 'c', 'd', 'e'], ids };

  function bruteForce(crossSourceOnly: boolean) {
    let present = 0;
    let agreeing = 0;
    for (let i = 0; i < size; i++) {
      for (let j = i + 1; j < size; j++) {
        if (crossSourceOnly && source[i] === source[j]) continue;
        if (ids[i] === 0 || ids[j] === 0) continue;
        present++;
        if (ids[i] === ids[j]) agreeing++;
      }
    }
    return { present, agreeing };
  }

  it('counts all pairs in dedupe mode and cross-source pairs in link mode, as enumerating them would', () => {
    expect(exactAgreement(column, source, 'dedupe')).toEqual(bruteForce(false));
    expect(exactAgreement(column, source, 'link_and_dedupe')).toEqual(bruteForce(false));
    expect(exactAgreement(column, source, 'link')).toEqual(bruteForce(true));
  });

  it('gives the exact level agreeing / present and shares the rest among the sampled disagreeing levels', () => {
    const comparisons: Comparison[] = [
      {
        name: 'x',
        column: 'x',
        levels: [
          { label: 'null', test: { type: 'null' } },
          { label: 'exact', test: { type: 'exact' } },
          { label: 'JW', test: { type: 'jaroWinkler', threshold: 0.9 } },
          { label: 'initial', test: { type: 'initial' } },
          { label: 'else', test: { type: 'else' } },
        ],
      },
    ];
    // Sampled: 9 null, 1 exact, 30 JW, none at 'initial', 70 else.
    const counts = [Float64Array.from([9, 1, 30, 0, 70])];
    const agreement = { present: 10_000, agreeing: 120 };
    const [u] = uFromLevelCounts(counts, comparisons, [agreement]);
    expect(u[0]).toBe(1);
    expect(u[1]).toBeCloseTo(0.012, 12);
    const rest = 1 - 0.012;
    const disagreeing = 100 + UNOBSERVED_LEVEL_PSEUDO_COUNT;
    expect(u[2]).toBeCloseTo((rest * 30) / disagreeing, 12);
    expect(u[3]).toBeCloseTo((rest * UNOBSERVED_LEVEL_PSEUDO_COUNT) / disagreeing, 12);
    expect(u[4]).toBeCloseTo((rest * 70) / disagreeing, 12);
    // No two equal values anywhere: half a pair, not a zero (an infinite weight).
    const [none] = uFromLevelCounts(counts, comparisons, [{ present: 10_000, agreeing: 0 }]);
    expect(none[1]).toBeCloseTo(UNOBSERVED_LEVEL_PSEUDO_COUNT / 10_000, 12);
    // Without an agreement the sample alone decides, as before.
    expect(uFromLevelCounts(counts, comparisons)).toEqual(estimateU([{ width: 1, levels: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, ...Array(30).fill(2), ...Array(70).fill(4)]) }], comparisons));
  });
});
