// The consistent prior from weights counted once per distinct value (what a
// cluster returns) is the prior from every pair's weight.
import { describe, expect, it } from 'vitest';
import { priorWeight, type FellegiSunterModel } from '@mpi/scoring';
import { DUCKDB, DuckDbExecutor } from '@mpi/sql';
import { consistentPrior, fitPrior, HISTOGRAM_BINS, weightBin, weightBinSql } from '../src/pipeline/consistent-prior.js';

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

  it('gives the same prior and weights from a histogram counted in SQL (weightBinSql) as from every pair', async () => {
    // Weights on bin edges (half a bin above the prior weight), past the clamp, and between.
    const start = priorWeight(model);
    const weights = [start + 0.5 / 32, start - 0.5 / 32, start + 1.5 / 32, start + 100, start - 100, 12.5, 3.25, -4, -9.75, start, 7.123456789, -0.015625];
    const every = Float64Array.from(weights.flatMap((weight, k) => Array<number>(k + 1).fill(weight)));
    const executor = await DuckDbExecutor.open({ threads: 1 });
    try {
      await executor.connection.run('CREATE TABLE w (match_weight DOUBLE)');
      await executor.connection.run(`INSERT INTO w VALUES ${Array.from(every, (weight) => `(${DUCKDB.double(weight)})`).join(', ')}`);
      const rows = (await executor.connection.runAndReadAll(`SELECT CAST(${weightBinSql('match_weight', DUCKDB.double(start))} AS INTEGER) AS bin, count(*) FROM w GROUP BY bin`)).getRows();
      const histogram = new Float64Array(HISTOGRAM_BINS);
      for (const [bin, pairs] of rows) histogram[Number(bin)] += Number(pairs);
      const expected = new Float64Array(HISTOGRAM_BINS);
      for (const weight of every) expected[weightBin(weight, start)]++;
      expect(Array.from(histogram)).toEqual(Array.from(expected));
      const fromPairs = consistentPrior(model, [Float64Array.from(every)], 2_000_000);
      const { prior, shift } = fitPrior(model, histogram, 2_000_000);
      expect(prior).toBe(fromPairs.prior);
      expect(shift).toBeCloseTo(priorWeight(fromPairs) - start, 12);
    } finally {
      executor.close();
    }
  });
});
