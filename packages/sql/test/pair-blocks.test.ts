import { describe, expect, it } from 'vitest';
import { firstLeftRows, nextLeftRows, pairBlocks, recordsPerBlock, rulePairsPerBlock, sizeBytes } from '../src/duckdb/pair-blocks.js';

describe('blocks of the comparison join', () => {
  it('put every pair of rows (left below right) in exactly one block', () => {
    for (const [records, per] of [
      [10, 3],
      [9, 3],
      [7, 100],
      [1, 1],
    ]) {
      const blocks = pairBlocks(records, per);
      for (let l = 0; l < records; l++) {
        for (let r = l + 1; r < records; r++) {
          const holding = blocks.filter((b) => l >= b.left[0] && l < b.left[1] && r >= b.right[0] && r < b.right[1]);
          expect(holding, `pair ${l},${r} of ${records} rows, ${per} a block`).toHaveLength(1);
        }
      }
    }
  });

  it('read at most `per` records on each side, k(k+1)/2 blocks of k ranges', () => {
    const blocks = pairBlocks(10, 3);
    expect(blocks).toHaveLength(10);
    for (const block of blocks) {
      expect(block.left[1] - block.left[0]).toBeLessThanOrEqual(3);
      expect(block.right[1] - block.right[0]).toBeLessThanOrEqual(3);
      expect(block.left[0]).toBeLessThanOrEqual(block.right[0]);
    }
  });

  it('still make one (empty) block of no records, so the tables are made', () => {
    expect(pairBlocks(0, 1000)).toEqual([{ left: [0, 0], right: [0, 0] }]);
  });

  it('grow with the memory limit DuckDB prints', () => {
    expect(sizeBytes('953.6 MiB')).toBeCloseTo(953.6 * 2 ** 20);
    expect(sizeBytes('1.8 GiB')).toBeCloseTo(1.8 * 2 ** 30);
    expect(recordsPerBlock('1.8 GiB')).toBeGreaterThan(recordsPerBlock('953.6 MiB'));
    expect(() => sizeBytes('lots')).toThrow(RangeError);
  });
});

describe('blocks of the candidate pairs (left rows)', () => {
  it('take every record in one block when the rules make no more pairs than a block holds', () => {
    expect(firstLeftRows(50_000, 1_000_000, 1_000_000)).toBe(50_000);
    expect(firstLeftRows(0, 0, 10)).toBe(1);
  });

  it('start at twice the average density of pairs, never below a thousand rows', () => {
    // 100M rule pairs over 10M records, 5M pairs a block: 10 pairs a row, planned at 20.
    expect(firstLeftRows(10_000_000, 100_000_000, 5_000_000)).toBe(250_000);
    expect(firstLeftRows(10_000_000, 1e12, 5_000_000)).toBe(1_000);
  });

  it('size the next block from the pairs the last one made, growing at most fourfold', () => {
    expect(nextLeftRows(250_000, 10_000_000, 5_000_000)).toBe(125_000);
    expect(nextLeftRows(250_000, 4_000_000, 5_000_000)).toBe(312_500);
    expect(nextLeftRows(250_000, 10, 5_000_000)).toBe(1_000_000);
    expect(nextLeftRows(250_000, 0, 5_000_000)).toBe(1_000_000);
  });

  it('grow with the memory limit', () => {
    expect(rulePairsPerBlock('8.0 GiB')).toBeGreaterThan(rulePairsPerBlock('2.0 GiB'));
  });
});
