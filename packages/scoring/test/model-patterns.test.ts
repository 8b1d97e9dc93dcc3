import { describe, expect, it } from 'vitest';
import { countPatterns, countSessionPatterns } from '../src/model/index.js';
import type { ComparisonVectors, PairChunk } from '../src/types.js';

function chunk(pairs: [number, number][]): PairChunk {
  return { left: Uint32Array.from(pairs, (p) => p[0]), right: Uint32Array.from(pairs, (p) => p[1]) };
}

function vectors(rows: number[][]): ComparisonVectors {
  return { width: rows[0]?.length ?? 0, levels: Uint8Array.from(rows.flat()) };
}

function asMap(result: ReturnType<typeof countPatterns>): Map<string, number> {
  const map = new Map<string, number>();
  for (let p = 0; p < result.counts.length; p++) {
    map.set(Array.from(result.patterns.subarray(p * result.width, (p + 1) * result.width)).join(','), result.counts[p]);
  }
  return map;
}

describe('countPatterns', () => {
  const chunks = [chunk([[0, 1], [0, 2], [1, 2]]), chunk([[2, 3], [3, 4]])];
  const vecs = [vectors([[1, 2, 0], [3, 1, 1], [1, 2, 0]]), vectors([[3, 1, 1], [1, 2, 0]])];

  it('counts each distinct comparison vector across chunks', () => {
    const result = countPatterns(chunks, vecs);
    expect(result.width).toBe(3);
    expect(asMap(result)).toEqual(new Map([['1,2,0', 3], ['3,1,1', 2]]));
  });

  it('returns patterns in a deterministic ascending order', () => {
    const result = countPatterns(chunks, vecs);
    expect(Array.from(result.patterns)).toEqual([1, 2, 0, 3, 1, 1]);
  });

  it('counts only the pairs kept by the filter', () => {
    const result = countPatterns(chunks, vecs, (left) => left !== 0);
    expect(asMap(result)).toEqual(new Map([['1,2,0', 2], ['3,1,1', 1]]));
  });

  it('handles many levels per comparison (sparse keys) the same way', () => {
    const rows = Array.from({ length: 200 }, (_, k) => [k % 200, (k * 7) % 200, (k * 13) % 200, 1, (k * 3) % 200]);
    rows.push([...rows[5]]);
    const pairs = rows.map((_, k) => [k, k + 1] as [number, number]);
    const result = countPatterns([chunk(pairs)], [vectors(rows)]);
    expect(result.counts.length).toBe(200);
    expect(asMap(result).get(rows[5].join(','))).toBe(2);
  });

  it('rejects vectors that do not match their pairs', () => {
    expect(() => countPatterns([chunk([[0, 1]])], [vectors([[1, 1], [2, 2]])])).toThrow(/chunk 0/);
  });
});

describe('countSessionPatterns', () => {
  // Pairs over records 0..n-1 with pseudo-random vectors; sessions select pairs by record parity.
  function drawn(pairs: number, width: number, levels: number) {
    const rows = Array.from({ length: pairs }, (_, k) => Array.from({ length: width }, (_, c) => (k * (c + 3) + ((k * k) % 7)) % levels));
    const chunks = [chunk(rows.slice(0, pairs >> 1).map((_, k) => [k, k + 1])), chunk(rows.slice(pairs >> 1).map((_, k) => [k + 1, k + 3]))];
    const vecs = [vectors(rows.slice(0, pairs >> 1)), vectors(rows.slice(pairs >> 1))];
    const inSession = [(l: number) => l % 2 === 0, (_l: number, r: number) => r % 3 === 0, () => false];
    const membership = chunks.map(({ left, right }) =>
      Uint32Array.from(left, (l, k) => inSession.reduce((bits, keep, s) => (keep(l, right[k]) ? bits | (1 << s) : bits), 0)),
    );
    return { chunks, vecs, inSession, membership };
  }

  for (const [name, levels, width] of [['dense', 4, 3], ['sparse', 200, 5]] as const) {
    it(`gives each session the counts of countPatterns over the session's pairs (${name} keys)`, () => {
      const { chunks, vecs, inSession, membership } = drawn(300, width, levels);
      const result = countSessionPatterns(chunks, vecs, membership, inSession.length);
      expect(result.all).toEqual(countPatterns(chunks, vecs));
      inSession.forEach((keep, s) => expect(result.sessions[s]).toEqual(countPatterns(chunks, vecs, keep)));
      expect(result.sessions[2].counts.length).toBe(0);
    });
  }

  it('rejects a membership mask of the wrong length and too many sessions', () => {
    const chunks = [chunk([[0, 1], [1, 2]])];
    const vecs = [vectors([[1], [2]])];
    expect(() => countSessionPatterns(chunks, vecs, [new Uint32Array(1)], 1)).toThrow(/membership/);
    expect(() => countSessionPatterns(chunks, vecs, [new Uint32Array(2)], 33)).toThrow(/sessions/);
  });
});
