// A Parquet file corrupt far into it: DuckDB streams its first row groups, then
// its result ends as if complete (@duckdb/node-api 1.5.6-r.1). Linking must
// fail naming the source, not group the records it happened to read, and
// write nothing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDbExecutor } from '@mpi/sql';
import { link, type Settings } from '../src/index.js';
import { runMpi, tempDir } from './helpers.js';

const settings: Settings = { recordId: 'id', mode: 'dedupe', fields: { given_name: 'given_name', family_name: 'family_name' } };
const RECORDS = 50_000;
const INCOMPLETE = new RegExp(`^source "clinic": cannot read the file as Parquet \\(Incomplete Result: the streamed result ended after \\d+ of ${RECORDS} rows\\)$`);

/** 50,000 records in row groups of 5,000 (zstd), with 64 bytes flipped at 80% of the file. */
async function parquetCorruptFarIn(dir: string): Promise<string> {
  const path = join(dir, 'patients.parquet');
  const executor = await DuckDbExecutor.open({ threads: 1 });
  try {
    await executor.connection.run(
      `COPY (SELECT 'r' || i AS id, 'name' || (i * 7919 % 10007) AS given_name, 'family' || (i % 4001) AS family_name FROM range(${RECORDS}) t(i)) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 5000, COMPRESSION zstd)`,
    );
  } finally {
    executor.close();
  }
  const bytes = readFileSync(path);
  const at = Math.floor(bytes.length * 0.8);
  for (let k = at; k < at + 64; k++) bytes[k] ^= 0x5a;
  writeFileSync(path, bytes);
  return path;
}

describe('a Parquet source whose rows DuckDB stops streaming part way', () => {
  it('link() fails with SOURCE_UNREADABLE, the rows read and expected in the message', async () => {
    const path = await parquetCorruptFarIn(tempDir());
    const error = await link({ settings, sources: [{ name: 'clinic', path }], threads: 1 }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ code: 'SOURCE_UNREADABLE', message: expect.stringMatching(INCOMPLETE) });
  });

  it('mpi link --engine duckdb: exit 2, one line naming the source, no groups file', async () => {
    const dir = tempDir();
    const path = await parquetCorruptFarIn(dir);
    const settingsFile = join(dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(settings));
    const out = join(dir, 'groups.csv');
    const run = await runMpi(['link', '--settings', settingsFile, '--source', `clinic=${path}`, '--out', out, '--quiet', '--threads', '1', '--engine', 'duckdb']);
    expect(run.stderr).toMatch(new RegExp(`^mpi: ${INCOMPLETE.source.slice(1, -1)}\\n$`));
    expect(run.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
