// The consistent prior from weights counted once per distinct value (what a
// cluster returns) is the prior from every pair's weight.
import { describe, expect, it } from 'vitest';
import type { FellegiSunterModel } from '@mpi/scoring';
import { consistentPrior } from '../src/pipeline/consistent-prior.js';

const model = { prior: 0.001 } as FellegiSunterModel;

describe('consistentPrior', () => {
  it('gives the same prior from distinct weights with their counts as from every pair', () => {
    const distinct = [12.5, 3.25, -4, -9.75, 0.5, 20];
    const counts = [3, 40, 700, 5000, 12, 1];
    const every = Float64Array.from(distinct.flatMap((weight, k) => Array<number>(counts[k]).fill(weight)));
    const fromPairs = consistentPrior(model, [every], 2_000_000);
    const fromCounts = consistentPrior(model, [Float64Array.from(distinct)], 2_000_000, [Float64Array.from(counts)]);
    expect(fromPairs.prior).not.toBe(model.prior);
    expect(fromCounts.prior).toBe(fromPairs.prior);
  });
});
