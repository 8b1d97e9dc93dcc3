import { describe, expect, it } from 'vitest';
import { PairMemo } from '../src/pair-memo.js';

describe('PairMemo', () => {
  it('returns what was memoised for a pair and -1 for pairs it does not hold', () => {
    const memo = new PairMemo();
    expect(memo.get(3, 7)).toBe(-1);
    memo.set(3, 7, 0);
    memo.set(4, 9, 254);
    expect(memo.get(3, 7)).toBe(0);
    expect(memo.get(4, 9)).toBe(254);
    expect(memo.get(7, 3)).toBe(-1);
  });

  it('stays bounded and never answers with another pair’s level when slots collide', () => {
    const memo = new PairMemo(4);
    const levelOf = (a: number, b: number): number => (a * 31 + b) % 200;
    for (let a = 0; a < 300; a++) for (let b = a; b < a + 20; b++) memo.set(a, b, levelOf(a, b));
    let held = 0;
    for (let a = 0; a < 300; a++) {
      for (let b = a; b < a + 20; b++) {
        const level = memo.get(a, b);
        if (level >= 0) {
          expect(level).toBe(levelOf(a, b));
          held++;
        }
      }
    }
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(4);
  });

  it('grows while it keeps missing, keeping what it holds', () => {
    const memo = new PairMemo(1 << 14);
    for (let i = 0; i < 50_000; i++) memo.set(i, i + 1, i % 7);
    let held = 0;
    for (let i = 0; i < 50_000; i++) if (memo.get(i, i + 1) === i % 7) held++;
    expect(held).toBeGreaterThan(1 << 12);
    expect(held).toBeLessThanOrEqual(1 << 14);
  });
});
