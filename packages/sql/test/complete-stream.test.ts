// A streamed DuckDB result that fails part way ends, in @duckdb/node-api, as a
// complete one does. Every streamed read of ours goes through completeChunks,
// which counts the rows first: a read that ends early is a SqlEngineError
// naming the step, never a shorter result (a real DuckDB, real failures; a
// Parquet file corrupt far into it: core/test/duckdb-incomplete-results.test.ts).
import { describe, expect, it } from 'vitest';
import { completeChunks, DuckDbExecutor, eachChunk, INCOMPLETE_RESULT, SqlEngineError } from '../src/index.js';
import { countSql } from '../src/duckdb/complete-stream.js';

/** 300,000 rows whose `d` casts to DATE but at row 250,000: DuckDB fails after it has streamed the first chunks. */
const LATE_FAILURE = `SELECT i, CAST(d AS DATE) AS d FROM late`;
const ROWS = 300_000;
const SENTINEL = 'QXSENTINELZQ';

async function withExecutor(test: (executor: DuckDbExecutor) => Promise<void>): Promise<void> {
  const executor = await DuckDbExecutor.open({ threads: 1, memoryLimit: '200MB' });
  try {
    await executor.connection.run(`CREATE TABLE late AS SELECT i, CASE WHEN i = 250000 THEN '${SENTINEL}' ELSE '2001-01-01' END AS d FROM range(${ROWS}) t(i)`);
    await test(executor);
  } finally {
    executor.close();
  }
}

describe('a streamed result that fails part way', () => {
  it('ends without an error when streamed plainly (@duckdb/node-api 1.5.6-r.1): the rows after the failure are simply missing', async () => {
    await withExecutor(async ({ connection }) => {
      let read = 0;
      for await (const chunk of await connection.stream(LATE_FAILURE)) read += chunk.rowCount;
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThan(ROWS);
    });
  });

  it('is a SqlEngineError of kind INCOMPLETE_RESULT naming the step and the counts, after the rows that came, never a value', async () => {
    await withExecutor(async ({ connection }) => {
      let read = 0;
      const reading = (async () => {
        for await (const chunk of completeChunks(connection, LATE_FAILURE, { step: 'reading the late dates' })) read += chunk.rowCount;
      })();
      await expect(reading).rejects.toBeInstanceOf(SqlEngineError);
      expect(read).toBeGreaterThan(0);
      await expect(reading).rejects.toMatchObject({
        code: 'SQL_ENGINE_FAILED',
        step: 'reading the late dates',
        kind: INCOMPLETE_RESULT,
        message: `the SQL engine failed at step "reading the late dates" (${INCOMPLETE_RESULT}: the streamed result ended after ${read} of ${ROWS} rows)`,
      });
      await expect(reading).rejects.not.toThrow(SENTINEL);
    });
  });

  it('fails eachChunk the same way, its step by default the statement role', async () => {
    await withExecutor(async ({ connection }) => {
      await expect(eachChunk(connection, LATE_FAILURE, () => {})).rejects.toMatchObject({ code: 'SQL_ENGINE_FAILED', step: 'a SELECT statement', kind: INCOMPLETE_RESULT });
    });
  });

  it('fails when a statement run on the same connection ends the stream early (which, plainly streamed, ends it silently too)', async () => {
    await withExecutor(async ({ connection }) => {
      const reading = eachChunk(connection, 'SELECT i FROM late ORDER BY i', (_, at) => (at === 0 ? connection.run('SELECT 1').then(() => undefined) : undefined));
      await expect(reading).rejects.toMatchObject({ code: 'SQL_ENGINE_FAILED', kind: INCOMPLETE_RESULT });
    });
  });
});

describe('a streamed result read to its end', () => {
  it('reads every row, in the query order, one chunk at a time', async () => {
    await withExecutor(async ({ connection }) => {
      const seen: number[] = [];
      const read = await eachChunk(connection, 'SELECT i FROM late WHERE i % 3 = 0 ORDER BY i DESC', ([values], at) => {
        expect(at).toBe(seen.length);
        for (const value of values) seen.push(Number(value));
      });
      expect(read).toBe(ROWS / 3);
      expect(seen).toEqual(Array.from({ length: ROWS / 3 }, (_, k) => ROWS - 3 - 3 * k));
    });
  });

  it('takes a count the caller made, and fails when the result falls short of it', async () => {
    await withExecutor(async ({ connection }) => {
      expect(await eachChunk(connection, 'SELECT i FROM late', () => {}, { rows: ROWS })).toBe(ROWS);
      await expect(eachChunk(connection, 'SELECT i FROM late', () => {}, { step: 'reading late', rows: ROWS + 1 })).rejects.toMatchObject({ step: 'reading late', kind: INCOMPLETE_RESULT, message: `the SQL engine failed at step "reading late" (${INCOMPLETE_RESULT}: the streamed result ended after ${ROWS} of ${ROWS + 1} rows)` });
    });
  });

  it('reads an empty result as zero rows', async () => {
    await withExecutor(async ({ connection }) => {
      expect(await eachChunk(connection, 'SELECT i FROM late WHERE i < 0', () => {})).toBe(0);
    });
  });

  it('is abandoned without a check when the reader stops early', async () => {
    await withExecutor(async ({ connection }) => {
      let chunks = 0;
      for await (const chunk of completeChunks(connection, LATE_FAILURE, { rows: ROWS })) {
        chunks += chunk.rowCount > 0 ? 1 : 0;
        break;
      }
      expect(chunks).toBe(1);
    });
  });
});

describe('countSql: the rows of a query, counted', () => {
  it('leaves out a last ORDER BY, which changes no count', () => {
    expect(countSql('SELECT a FROM t ORDER BY a, "b"')).toBe('SELECT count(*) FROM (SELECT a FROM t) AS counted');
  });

  it('keeps an ORDER BY with a LIMIT or OFFSET, or one inside parentheses', () => {
    for (const sql of ['SELECT a FROM t ORDER BY a LIMIT 5', 'SELECT a FROM t ORDER BY a OFFSET 2', 'SELECT a FROM (SELECT a FROM t ORDER BY a)']) {
      expect(countSql(sql)).toBe(`SELECT count(*) FROM (${sql}) AS counted`);
    }
  });
});
