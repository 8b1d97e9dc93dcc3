// DuckDB's messages quote the values they fail on. Through the public entry
// points and the `mpi` command (a child process), a real DuckDB failure on data
// holding a sentinel value says what failed, and the sentinel appears nowhere:
// not on stderr, not in the error, its causes or util.inspect of it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DuckDbExecutor } from '@mpi/sql';
import { link, type Settings } from '../src/index.js';
import { linkInDuckDb } from '../src/advanced.js';
import { febrlDir, febrlSettings, runMpi, tempDir } from './helpers.js';

const SENTINEL = 'QXSENTINELZQ';

/** Everything a person or a log could see of an error: util.inspect of it, and every cause's message and stack. */
function everythingShown(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 10 })];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message, String(e.stack));
  return parts.join('\n');
}

const settings: Settings = { recordId: 'id', mode: 'dedupe', fields: { given_name: 'given_name', family_name: 'family_name' } };

/** A Parquet source whose record 3,000 has a given name that is not UTF-8 (the sentinel, then bytes no UTF-8 string holds). */
async function badParquet(dir: string): Promise<string> {
  const path = join(dir, 'patients.parquet');
  const executor = await DuckDbExecutor.open({ threads: 1 });
  try {
    await executor.connection.run(
      `COPY (SELECT 'r' || i AS id, CASE WHEN i = 3000 THEN '${SENTINEL}~~~~' ELSE 'name' || (i % 50) END AS given_name, 'family' || (i % 40) AS family_name FROM range(5000) t(i)) TO '${path}' (FORMAT parquet, COMPRESSION uncompressed)`,
    );
  } finally {
    executor.close();
  }
  const bytes = readFileSync(path);
  for (let at = bytes.indexOf('~~~~'); at >= 0; at = bytes.indexOf('~~~~', at)) bytes.fill(0xff, at, at + 4);
  writeFileSync(path, bytes);
  return path;
}

describe('a Parquet source DuckDB cannot read: the source named, the value not', () => {
  it('link() and linkInDuckDb() fail with SOURCE_UNREADABLE holding no value', async () => {
    const path = await badParquet(tempDir());
    const sources = [{ name: 'clinic', path }];
    const failures = [await link({ settings, sources, threads: 1 }).catch((error: unknown) => error), await linkInDuckDb({ settings, sources, duckdb: { threads: 1 } }).catch((error: unknown) => error)];
    for (const error of failures) {
      expect(error).toMatchObject({ code: 'SOURCE_UNREADABLE', message: 'source "clinic": cannot read the file as Parquet (Invalid Input Error)' });
      expect(everythingShown(error)).not.toContain(SENTINEL);
    }
  });

  it('mpi link, in process and with --engine duckdb: exit 2, one line naming the source, nothing written', async () => {
    const dir = tempDir();
    const path = await badParquet(dir);
    const settingsFile = join(dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(settings));
    for (const engine of [[], ['--engine', 'duckdb']]) {
      const out = join(dir, `groups${engine.length}.csv`);
      const run = await runMpi(['link', '--settings', settingsFile, '--source', `clinic=${path}`, '--out', out, '--quiet', '--threads', '1', ...engine]);
      expect(run.stderr).toBe('mpi: source "clinic": cannot read the file as Parquet (Invalid Input Error)\n');
      expect(run.code).toBe(2);
      expect(run.stdout).not.toContain(SENTINEL);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('a cluster export DuckDB cannot read past the part it sniffed: the file and line, not the line', () => {
  it('mpi sql train: exit 2 and the file, the kind of error and the line number on stderr', async () => {
    const dir = tempDir();
    const job = join(dir, 'job');
    writeFileSync(join(dir, 'febrl.json'), JSON.stringify(febrlSettings('dedupe')));
    const written = await runMpi(['link', '--settings', join(dir, 'febrl.json'), '--source', `f3=${join(febrlDir, 'dataset3.csv')}`, '--engine', 'sql', '--out-sql', job, '--quiet']);
    expect(written.code).toBe(0);
    // training_counts as the cluster exported them, with the columns the job asks for; a malformed line at the end, holding the sentinel.
    const plan = JSON.parse(readFileSync(join(job, 'plan.json'), 'utf8')) as { comparisons: { name: string; tfColumns?: string[] }[] };
    const header = ['session', ...plan.comparisons.map((c) => `gamma_${c.name}`), ...plan.comparisons.filter((c) => c.tfColumns !== undefined).map((c) => `tf_${c.name}`), 'household', 'pairs'];
    const row = header.map(() => '0').join(',');
    const counts = join(dir, 'training_counts.csv');
    writeFileSync(counts, [header.join(','), ...Array.from({ length: 30_000 }, () => row), `${SENTINEL},${row}`].join('\n') + '\n');
    const run = await runMpi(['sql', 'train', '--job', job, '--counts', counts, '--model-out', join(dir, 'model.json')]);
    expect(run.stderr).toBe(`mpi: cluster export ${counts}: cannot be read (Conversion Error: CSV error on line 30002)\n`);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toContain(SENTINEL);
    expect(existsSync(join(dir, 'model.json'))).toBe(false);
  });
});
