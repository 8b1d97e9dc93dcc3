// A run in DuckDB that keeps its progress in its work database (resumable,
// --work-db): stopped anywhere (an error, a kill), the same call goes on from
// its last recorded step and ends with the groups and ids of a run never stopped.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModel, serializeModel } from '@mpi/scoring';
import { DuckDbExecutor, RUN_PROGRESS_TABLE, WorkDatabaseError } from '@mpi/sql';
import { link, type ProgressEvent, type Settings } from '../src/index.js';
import { linkInDuckDb, type SqlLinkOptions } from '../src/advanced.js';
import { cliPath, repoRoot, runProcess, tempDir } from './helpers.js';

const population = join(repoRoot, 'fixtures/population');
const settings = JSON.parse(readFileSync(join(population, 'settings.json'), 'utf8')) as Settings;
const dir = tempDir('mpi-resumable-');
// The EHR source with every 50th birth date unreadable and phone unparseable: flagged values, which a resumed run must still report.
const ehr = join(dir, 'ehr.csv');
writeFileSync(
  ehr,
  readFileSync(join(population, 'ehr.csv'), 'utf8')
    .split('\n')
    .map((line, k) => (k > 0 && k % 50 === 0 ? line.replace(/,(\d{4})-(\d\d)-(\d\d),/, ',$1-13-45,').replace(/,\(\d{3}\) \d{3}-\d{4},/, ',call me,') : line))
    .join('\n'),
);
const sources = ['clinic', 'ehr', 'lab', 'payer'].map((name) => ({ name, path: name === 'ehr' ? ehr : join(population, `${name}.csv`) }));

/** Thrown from onProgress to stop a run where a crash could. */
class Stop extends Error {}

describe('a resumable run in DuckDB', async () => {
  const trained = await link({ settings, sources, threads: 1 });
  const model = parseModel(serializeModel(trained.model));
  // Several blocks of candidate pairs and of the comparison join, as a large input runs them.
  const blocks = { threads: 1, blockRecords: Math.ceil(trained.table.size / 3), blockRulePairs: Math.ceil(trained.pairs.count / 5) };
  const base: SqlLinkOptions = { settings, sources, model, refitPrior: true };
  const never = await linkInDuckDb({ ...base, duckdb: blocks });
  let files = 0;
  const workFile = () => join(dir, `work-${files++}.duckdb`);

  /** Runs resumably in `path`, stopping at the first progress event `stopAt` accepts (if any); returns the events. */
  async function runIn(path: string, stopAt: (event: ProgressEvent) => boolean = () => false, options: Partial<SqlLinkOptions> = {}) {
    const events: ProgressEvent[] = [];
    const result = await linkInDuckDb({
      ...base,
      ...options,
      resumable: true,
      duckdb: { ...blocks, path },
      onProgress: (event) => {
        if (stopAt(event)) throw new Stop();
        events.push(event);
      },
    });
    return { result, events };
  }

  it('run once, gives the groups, ids and fitted prior of a run that keeps no progress, and says it began afresh', async () => {
    expect(never.table.flags.length).toBeGreaterThan(50);
    const { result } = await runIn(workFile());
    expect(Array.from(result.clustering.groupOf)).toEqual(Array.from(never.clustering.groupOf));
    expect(result.identityIds).toEqual(never.identityIds);
    expect(result.model.prior).toBe(never.model.prior);
    expect(result.run.pairCount).toBe(never.run.pairCount);
    expect(result.resumedAfter).toBeUndefined();
  });

  const stops: [string, (event: ProgressEvent) => boolean, string[]][] = [
    ['before its load finished: it starts over', (e) => e.stage === 'read', []],
    ['after its first block of candidate pairs', (e) => e.stage === 'block' && e.done > 0 && e.done < e.total, ['records loaded', 'candidate pairs']],
    ['after the first block of the comparison join', (e) => e.stage === 'compare' && e.done === 1, ['records loaded', 'candidate pairs', 'comparison join into scored_pairs']],
    ['after the last block of the comparison join', (e) => e.stage === 'compare' && e.done === e.total, ['records loaded', 'candidate pairs', 'comparison join into scored_pairs']],
    ['after the prior was fitted', (e) => e.stage === 'score', ['records loaded', 'candidate pairs', 'comparison join into scored_pairs', 'prior fitted']],
  ];
  for (const [where, stopAt, recorded] of stops) {
    it(`stopped ${where}, goes on from its last recorded step to the same groups and ids`, async () => {
      const path = workFile();
      await expect(runIn(path, stopAt)).rejects.toBeInstanceOf(Stop);
      const { result, events } = await runIn(path);
      expect(Array.from(result.clustering.groupOf)).toEqual(Array.from(never.clustering.groupOf));
      expect(result.identityIds).toEqual(never.identityIds);
      expect(result.model.prior).toBe(never.model.prior);
      expect(result.run).toEqual(never.run);
      expect(result.table.flags).toEqual(never.table.flags);
      if (recorded.length === 0) {
        expect(result.resumedAfter).toEqual([]);
        return;
      }
      expect([...(result.resumedAfter ?? [])].sort()).toEqual([...recorded].sort());
      // The blocks recorded are not run again.
      const firstCompare = events.find((e) => e.stage === 'compare');
      if (recorded.includes('prior fitted') || where.includes('last block')) expect(firstCompare).toBeUndefined();
      else if (recorded.includes('comparison join into scored_pairs')) expect(firstCompare?.done).toBe(2);
      else expect(events.find((e) => e.stage === 'block')?.done).toBeGreaterThan(events.find((e) => e.stage === 'block')!.total / 5);
    });
  }

  it("refuses another run's work database, and a database that is no run's, changing neither", async () => {
    const path = workFile();
    await expect(runIn(path, (e) => e.stage === 'compare')).rejects.toBeInstanceOf(Stop);
    const other = { settings: { ...settings, threshold: 0.5 } };
    const refused = await runIn(path, undefined, other).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkDatabaseError);
    expect((refused as WorkDatabaseError).code).toBe('WORK_DATABASE_MISMATCH');
    expect((refused as Error).message).toContain(path);
    // Its own run still goes on from where it was.
    const { result } = await runIn(path);
    expect(result.resumedAfter).toContain('comparison join into scored_pairs');
    expect(result.identityIds).toEqual(never.identityIds);

    const foreign = workFile();
    const made = await DuckDbExecutor.open({ path: foreign });
    await made.connection.run('CREATE TABLE patients AS SELECT 1 AS id');
    made.close();
    await expect(runIn(foreign)).rejects.toThrow(/not the work database of a resumable run/);
    const reopened = await DuckDbExecutor.open({ path: foreign });
    const tables = (await reopened.connection.runAndReadAll('SELECT table_name FROM duckdb_tables()')).getRows().map(([name]) => name);
    reopened.close();
    expect(tables).toEqual(['patients']);
    expect(tables).not.toContain(RUN_PROGRESS_TABLE);
  });

  it('is refused for a run that trains, and for records in memory', async () => {
    await expect(linkInDuckDb({ settings, sources, resumable: true, duckdb: { path: workFile() } })).rejects.toThrow(/resumable run applies a model/);
    await expect(linkInDuckDb({ settings, model, sources: [{ name: 'ehr', records: [{ mrn: '1' }] }], resumable: true, duckdb: { path: workFile() } })).rejects.toThrow(/reads its sources from files/);
  });

  it('on the command line: killed (SIGKILL), the same command goes on to the same groups file, then removes its work database', async () => {
    const modelFile = join(dir, 'model.json');
    writeFileSync(modelFile, serializeModel(model));
    const args = (out: string, workDb?: string) => [
      cliPath, 'link', '--settings', join(population, 'settings.json'),
      ...sources.flatMap((s) => ['--source', `${s.name}=${s.path}`]),
      '--engine', 'duckdb', '--model', modelFile, '--refit-prior', '--threads', '1', '--out', out, '--json',
      ...(workDb === undefined ? [] : ['--work-db', workDb]),
    ];
    const plain = await runProcess(process.execPath, args(join(dir, 'plain.csv')));
    expect(plain.status).toBe(0);

    const workDb = join(dir, 'cli-work.duckdb');
    const out = join(dir, 'resumed.csv');
    // Killed as soon as it says it has read the records: somewhere in the load, the pairs or the join.
    const killed = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, args(out, workDb), { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('read done')) child.kill('SIGKILL');
      });
      child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? 9 : null));
    });
    expect(killed).toBe(9);
    expect(existsSync(out)).toBe(false);
    expect(statSync(workDb).size).toBeGreaterThan(0);

    const resumed = await runProcess(process.execPath, args(out, workDb));
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain(`mpi: going on with the run in ${workDb} after: `);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(dir, 'plain.csv'), 'utf8'));
    expect(existsSync(workDb)).toBe(false);
    expect(existsSync(`${workDb}.wal`)).toBe(false);
  });

  it('on the command line: needs --engine duckdb and --model', async () => {
    const args = ['link', '--settings', join(population, 'settings.json'), ...sources.flatMap((s) => ['--source', `${s.name}=${s.path}`]), '--out', join(dir, 'x.csv'), '--work-db', join(dir, 'x.duckdb')];
    const inProcess = await runProcess(process.execPath, [cliPath, ...args]);
    expect(inProcess.status).toBe(2);
    expect(inProcess.stderr).toContain('--work-db needs --engine duckdb');
    const training = await runProcess(process.execPath, [cliPath, ...args, '--engine', 'duckdb']);
    expect(training.status).toBe(2);
    expect(training.stderr).toContain('--work-db needs --model');
  });
});
