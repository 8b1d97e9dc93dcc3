// The job of the demo settings' trained model in the cluster dialects: every
// statement parses with that dialect's grammar (dt-sql-parser's Spark SQL and
// Trino grammars; no cluster runs here). DuckDB's statements run in sql-parity.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SparkSQL } from 'dt-sql-parser/dist/parser/spark/index.js';
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino/index.js';
import { renderJob, SPARK, TRINO, trainingCountsSql, type SqlStatement } from '@mpi/sql';
import { link, type Settings } from '../src/index.js';
import { planFor } from '../src/advanced.js';
import { repoRoot } from './helpers.js';

const population = join(repoRoot, 'fixtures/population');
const settings = JSON.parse(readFileSync(join(population, 'settings.json'), 'utf8')) as Settings;
const sources = ['clinic', 'ehr', 'lab', 'payer'].map((name) => ({ name, path: join(population, `${name}.csv`) }));

/** Each statement that does not parse, with the parser's first message. */
function unparsed(statements: readonly string[], parser: { validate(sql: string): { message: string }[] }): string[] {
  return statements.flatMap((sql) => {
    const errors = parser.validate(sql);
    return errors.length === 0 ? [] : [`${errors[0].message} in: ${sql.slice(0, 120)}`];
  });
}

describe('the demo settings job in the cluster dialects', async () => {
  const { model } = await link({ settings, sources, threads: 1 });
  const { plan } = await planFor({ settings, sources, model });
  const all = (job: ReturnType<typeof renderJob>): string[] => [...job.setup, ...job.propagate, ...job.finish].map((s: SqlStatement) => s.sql).concat(job.changed);

  it('parses statement by statement as Spark SQL', () => {
    const statements = all(renderJob(plan, SPARK));
    expect(statements.length).toBeGreaterThan(10);
    expect(unparsed(statements, new SparkSQL())).toEqual([]);
  });

  it('parses statement by statement as Trino SQL', () => {
    expect(unparsed(all(renderJob(plan, TRINO)), new TrinoSQL())).toEqual([]);
  });

  it('parses the training counts of a job without a model (sessions, term frequencies, households) in both dialects', () => {
    const household = { street: 'street_address', place: 'postcode', given: 'given_name', born: 'birth_date' };
    for (const [dialect, parser] of [
      [SPARK, new SparkSQL()],
      [TRINO, new TrinoSQL()],
    ] as const) {
      const statements = trainingCountsSql(plan, dialect, { sessions: [0, 1], household }).map((s) => s.sql);
      expect(statements.join('\n')).toContain('household');
      expect(unparsed(statements, parser)).toEqual([]);
    }
  });

  it('is refused by the parser when a statement is broken (the check can fail)', () => {
    const [first] = all(renderJob(plan, SPARK)).filter((sql) => sql.startsWith('CREATE'));
    expect(unparsed([first.replace('SELECT', 'SELECT (')], new SparkSQL())).toHaveLength(1);
  });
});
