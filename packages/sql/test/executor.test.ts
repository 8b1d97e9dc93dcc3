import { describe, expect, it } from 'vitest';
import { exactComparison, type FellegiSunterModel } from '@mpi/scoring';
import { buildLinkagePlan, DuckDbExecutor, SqlEngineError } from '../src/index.js';

const comparisons = [exactComparison('name')];
const model: FellegiSunterModel = {
  version: 1,
  comparisons,
  m: [[1, 0.99, 0.01]],
  u: [[1, 0.001, 0.999]],
  prior: 0.01,
  training: { sessions: [], candidateLambda: 0 },
};
const plan = buildLinkagePlan({ model, rules: [{ kind: 'key', keys: [{ column: 'name' }] }], mode: 'dedupe', threshold: 0.5, thresholdWeight: 0, clustering: 'connectedComponents' });

describe('the DuckDB executor', () => {
  it('links equal names into one component and leaves the others alone', async () => {
    const executor = await DuckDbExecutor.open({ threads: 1, memoryLimit: '100MB' });
    try {
      const table = { size: 4, source: new Uint16Array(4), columns: { name: { dictionary: ['', 'ann', 'bob'], ids: Uint32Array.from([1, 2, 1, 0]) } } };
      await executor.loadRecords(table, plan, [null]);
      const run = await executor.run(plan);
      expect(run.pairCount).toBe(1);
      expect(Array.from(await executor.componentLabels(4))).toEqual([0, 1, 0, 3]);
    } finally {
      executor.close();
    }
  });

  it('fails with a typed error naming the step, not the engine message', async () => {
    const executor = await DuckDbExecutor.open({ threads: 1 });
    try {
      // No records loaded: the first statement fails.
      const failure = await executor.run(plan).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SqlEngineError);
      expect((failure as SqlEngineError).code).toBe('SQL_ENGINE_FAILED');
      expect((failure as Error).message).toBe('the SQL engine failed at step "blocking keys" (Catalog Error)');
    } finally {
      executor.close();
    }
  });
});
