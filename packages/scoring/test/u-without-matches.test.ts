import { describe, expect, it } from 'vitest';
import { uWithoutMatches, UNOBSERVED_LEVEL_PSEUDO_COUNT } from '../src/model/index.js';

describe('uWithoutMatches', () => {
  const m = [[1, 0.98, 0.02]];

  it('removes the matches\' share from what random pairs of the whole space measured', () => {
    // A phone: 3e-4 of all pairs are matches, 98% of them agree; non-matches agree 3.4e-4 of the time.
    const prior = 3e-4;
    const nonMatch = 3.4e-4;
    const measured = [[1, (1 - prior) * nonMatch + prior * 0.98, 0]];
    measured[0][2] = 1 - measured[0][1];
    const [u] = uWithoutMatches(measured, m, prior, 20_000);
    expect(u[1]).toBeCloseTo(nonMatch, 8);
    expect(u[0]).toBe(1);
    expect(u[1] + u[2]).toBeCloseTo(1, 12);
  });

  it('keeps half a sampled pair where the matches explain everything measured', () => {
    const [u] = uWithoutMatches([[1, 1e-4, 1 - 1e-4]], m, 3e-4, 20_000);
    expect(Math.abs(u[1] / (UNOBSERVED_LEVEL_PSEUDO_COUNT / 20_000) - 1)).toBeLessThan(0.001);
  });

  it('leaves u as measured when there is no prior to take out', () => {
    expect(uWithoutMatches([[1, 0.01, 0.99]], m, 0, 20_000)).toEqual([[1, 0.01, 0.99]]);
  });
});
