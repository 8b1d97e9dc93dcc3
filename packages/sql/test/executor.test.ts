import { describe, expect, it } from 'vitest';
import { exactComparison, type FellegiSunterModel } from '@mpi/scoring';
import { totalmem } from 'node:os';
import { buildLinkagePlan, DEFAULT_MEMORY_SHARE, DuckDbExecutor, interruptOpenExecutors, SqlEngineError, type StatementProfile } from '../src/index.js';

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

  it('with release, keeps only the scored pairs: the blocking keys, candidate pairs and comparison vectors are dropped, and the pairs still counted', async () => {
    const executor = await DuckDbExecutor.open({ threads: 1 });
    try {
      const table = { size: 4, source: new Uint16Array(4), columns: { name: { dictionary: ['', 'ann', 'bob'], ids: Uint32Array.from([1, 2, 1, 0]) } } };
      await executor.loadRecords(table, plan, [null]);
      const run = await executor.run(plan, { release: true });
      expect(run.pairCount).toBe(1);
      expect(run.countsByRule).toEqual([1]);
      const tables = (await executor.connection.runAndReadAll('SELECT table_name FROM duckdb_tables() ORDER BY table_name')).getRows().flat();
      expect(tables).toContain('scored_pairs');
      expect(tables).not.toContain('candidate_pairs');
      expect(tables).not.toContain('comparison_vectors');
      expect(tables).not.toContain('blocking_keys');
    } finally {
      executor.close();
    }
  });

  it('scores the pairs in the comparison statement, block by block, to the same pairs and weights as one block, and keeps no comparison vectors', async () => {
    // 6 records, 3 names: pairs within each name; blocks of 2 records put them in different blocks.
    const table = { size: 6, source: new Uint16Array(6), columns: { name: { dictionary: ['', 'ann', 'bob', 'cy'], ids: Uint32Array.from([1, 2, 3, 1, 2, 3]) } } };
    const scored = async (blockRecords: number) => {
      const executor = await DuckDbExecutor.open({ threads: 1, blockRecords });
      try {
        await executor.loadRecords(table, plan, [null]);
        await executor.run(plan);
        const tables = (await executor.connection.runAndReadAll('SELECT table_name FROM duckdb_tables()')).getRows().flat();
        expect(tables).not.toContain('comparison_vectors');
        const pairs = await executor.pairs('scored_pairs');
        return { left: Array.from(pairs.left), right: Array.from(pairs.right), weight: Array.from(pairs.weight) };
      } finally {
        executor.close();
      }
    };
    const whole = await scored(100);
    expect(whole.left).toEqual([0, 1, 2]);
    expect(whole.right).toEqual([3, 4, 5]);
    expect(await scored(2)).toEqual(whole);
    expect(await scored(1)).toEqual(whole);
  });

  it('counts the candidate pairs for training in the comparison join, block by block: the patterns of the comparison vectors, each session\'s too, and no comparison vector kept', async () => {
    // Two exact comparisons and two rules (name, city): pairs made by one rule, the other or both.
    const twoColumns: FellegiSunterModel = { ...model, comparisons: [exactComparison('name'), exactComparison('city')], m: [model.m[0], model.m[0]], u: [model.u[0], model.u[0]] };
    const rules = [{ kind: 'key' as const, keys: [{ column: 'name' }] }, { kind: 'key' as const, keys: [{ column: 'city' }] }];
    const twoRules = buildLinkagePlan({ model: twoColumns, rules, mode: 'dedupe', threshold: 0.5, thresholdWeight: 0, clustering: 'connectedComponents' });
    const table = {
      size: 8,
      source: new Uint16Array(8),
      columns: {
        name: { dictionary: ['', 'ann', 'bob', 'cy'], ids: Uint32Array.from([1, 2, 1, 3, 1, 2, 0, 3]) },
        city: { dictionary: ['', 'ely', 'rye'], ids: Uint32Array.from([1, 1, 2, 1, 0, 2, 1, 2]) },
      },
    };
    const sorted = (rows: unknown[][]) => rows.map((row) => row.map(Number)).sort((a, b) => a.join().localeCompare(b.join()));
    // Before: the comparison vectors of every pair kept, their patterns grouped.
    const vectors = await DuckDbExecutor.open({ threads: 1 });
    let expected: Record<string, number[][]>;
    try {
      await vectors.loadRecords(table, twoRules, [null, null]);
      await vectors.compare(twoRules);
      const patterns = async (where: string) => sorted((await vectors.connection.runAndReadAll(`SELECT gamma_name, gamma_city, count(*) FROM comparison_vectors ${where} GROUP BY ALL`)).getRows());
      expected = { all: await patterns(''), 0: await patterns('WHERE rules & 1 <> 0'), 1: await patterns('WHERE rules & 2 <> 0') };
    } finally {
      vectors.close();
    }
    const executor = await DuckDbExecutor.open({ threads: 1, blockRecords: 3 });
    try {
      await executor.loadRecords(table, twoRules, [null, null]);
      await executor.countForTraining(twoRules, { sessions: [0, 1] });
      const counts = async (session: number) =>
        sorted((await executor.connection.runAndReadAll(`SELECT gamma_name, gamma_city, pairs FROM training_counts WHERE session = ${session}`)).getRows());
      expect(expected.all.length).toBeGreaterThan(1);
      expect(await counts(-1)).toEqual(expected.all);
      expect(await counts(0)).toEqual(expected[0]);
      expect(await counts(1)).toEqual(expected[1]);
      const read = await executor.readTable('training_counts', [{ name: 'pairs', type: 'BIGINT' }]);
      expect(read.rows).toBe(expected.all.length + expected[0].length + expected[1].length);
      const tables = (await executor.connection.runAndReadAll('SELECT table_name FROM duckdb_tables()')).getRows().flat();
      expect(tables).not.toContain('comparison_vectors');
      expect(tables).not.toContain('pair_counts');
      expect(tables).toContain('candidate_pairs');
      // The candidate pairs counted are scored with the model, not made again: the same as a run from the start.
      await executor.run(twoRules, { paired: true });
      const scored = await executor.pairs('scored_pairs');
      const fresh = await DuckDbExecutor.open({ threads: 1 });
      try {
        await fresh.loadRecords(table, twoRules, [null, null]);
        await fresh.run(twoRules);
        expect(await fresh.pairs('scored_pairs')).toEqual(scored);
      } finally {
        fresh.close();
      }
    } finally {
      executor.close();
    }
  });

  it('reports each statement of a run with its time, peak memory and spill when asked (onStatement)', async () => {
    const profiles: StatementProfile[] = [];
    const executor = await DuckDbExecutor.open({ threads: 1, onStatement: (profile) => profiles.push(profile) });
    try {
      const table = { size: 4, source: new Uint16Array(4), columns: { name: { dictionary: ['', 'ann', 'bob'], ids: Uint32Array.from([1, 2, 1, 0]) } } };
      await executor.loadRecords(table, plan, [null]);
      await executor.run(plan);
      const steps = profiles.map((p) => p.step);
      expect(steps[0]).toBe('blocking keys of rule 0');
      expect(steps.some((step) => step.startsWith('match weights'))).toBe(true);
      expect(steps.at(-1)).toMatch(/^pairs of the components/);
      for (const p of profiles) {
        expect(p.seconds).toBeGreaterThanOrEqual(0);
        // The records table is held in memory the whole run; nothing spills at this size.
        expect(p.peakMemoryBytes).toBeGreaterThan(0);
        expect(p.peakSpillBytes).toBe(0);
        expect(p.spillBytesAfter).toBe(0);
      }
    } finally {
      executor.close();
    }
  });

  it('opens DuckDB with the memory limit, the spill folder and its size limit given', async () => {
    const executor = await DuckDbExecutor.open({ threads: 1, memoryLimit: '100MB', tempDirectory: '/tmp/mpi-spill-test', maxTempDirectorySize: '1GB' });
    try {
      const [memory, folder, spill] = await executor.firstRow(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory'), current_setting('max_temp_directory_size')",
      );
      // DuckDB prints sizes in binary units: 100 MB = 95.3 MiB, 1 GB = 953.6 MiB.
      expect([memory, folder, spill]).toEqual(['95.3 MiB', '/tmp/mpi-spill-test', '953.6 MiB']);
    } finally {
      executor.close();
    }
  });

  it('limits DuckDB to half the machine memory when no limit is given', async () => {
    const executor = await DuckDbExecutor.open({ threads: 1 });
    try {
      const [memory] = await executor.firstRow("SELECT current_setting('memory_limit')");
      const [amount, unit] = String(memory).split(' ');
      const bytes = Number(amount) * 2 ** ({ KiB: 10, MiB: 20, GiB: 30, TiB: 40 } as Record<string, number>)[unit];
      expect(Math.abs(bytes - totalmem() * DEFAULT_MEMORY_SHARE) / (totalmem() * DEFAULT_MEMORY_SHARE)).toBeLessThan(0.01);
    } finally {
      executor.close();
    }
  });

  it('stops a running statement when interrupted (what a signal does before exiting), and forgets closed executors', async () => {
    const executor = await DuckDbExecutor.open({ threads: 1, memoryLimit: '100MB' });
    const closed = await DuckDbExecutor.open({ threads: 1, memoryLimit: '100MB' });
    closed.close();
    try {
      // A statement of many minutes: sum over 10^12 rows.
      const started = performance.now();
      const running = executor.connection.run('SELECT sum(range) FROM range(1000000000000)');
      setTimeout(interruptOpenExecutors, 200);
      await expect(running).rejects.toThrow(/interrupt/i);
      expect(performance.now() - started).toBeLessThan(10_000);
      // The connection still answers after the interrupt.
      expect((await executor.connection.runAndReadAll('SELECT 42')).getRows()).toEqual([[42]]);
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
      expect((failure as Error).message).toBe('the SQL engine failed at step "blocking keys of rule 0" (Catalog Error)');
    } finally {
      executor.close();
    }
  });
});
