import type { Command } from 'commander';
import { Option } from 'commander';
import { basename, dirname, join, resolve } from 'node:path';
import { formatModelReport, serializeModel, type FellegiSunterModel } from '@mpi/scoring';
import { WorkDatabaseError, type DialectName, type DuckDbOptions } from '@mpi/sql';
import { existsSync, rmSync } from 'node:fs';
import { MpiError } from '../errors.js';
import { linkInDuckDb, type LinkedInDuckDb, type SqlLinkSummary } from '../pipeline/link-sql.js';
import type { ProgressEvent } from '../pipeline/types.js';
import type { SourceInput } from '../read/source-input.js';
import type { Settings } from '../settings/settings.js';
import { writeSqlJob } from '../output/sql-job.js';
import { stageGroupsInDuckDb, stagePairsInDuckDb } from '../output/duckdb-outputs.js';
import { publishAll, stageFile, type AtomicFile } from '../output/atomic-file.js';
import { holdScratchFolder, releaseScratchFolder } from '../output/scratch-folder.js';
import { buildReportHtmlInDuckDb } from '../report/duckdb-report.js';
import { memberships } from './read-memberships.js';

/** The engines `mpi link` runs on. */
export type Engine = 'in-process' | 'duckdb' | 'sql';

/** Adds --engine and the SQL engines' options to the link command. */
export function addEngineOptions(command: Command): Command {
  return command
    .addOption(new Option('--engine <engine>', 'in-process, duckdb (embedded: trains, or applies --model), or sql (writes the job for a cluster engine into --out-sql: of --model, or without it the job that counts what training needs)').choices(['in-process', 'duckdb', 'sql']).default('in-process'))
    .addOption(new Option('--dialect <dialect>', 'with --engine sql: the SQL dialect').choices(['spark', 'trino', 'duckdb']).default('spark'))
    .option('--out-sql <dir>', 'with --engine sql: the folder to write job.sql, plan.json and records.parquet into')
    .option('--memory-limit <size>', "with --engine duckdb: DuckDB's memory_limit, e.g. 2GB (default: half the machine's memory; past it DuckDB spills to --temp-dir)")
    .option('--temp-dir <dir>', 'with --engine duckdb: where DuckDB keeps its work database and spills, in a new folder inside it (default: a folder next to --out); removed after')
    .option('--max-spill <size>', "with --engine duckdb: the most DuckDB may spill, e.g. 20GB; past it the run fails (default: DuckDB's, 90% of the free disk)")
    .option('--work-db <file>', 'with --engine duckdb and --model: keep the work database in this file with the run\'s progress; if the run stops (a crash, a kill), the same command goes on from its last finished step; removed when the run succeeds');
}

/** The options of `mpi link` a SQL engine reads. */
interface EngineOptions {
  readonly engine: Engine;
  readonly dialect: DialectName;
  readonly outSql?: string;
  readonly memoryLimit?: string;
  readonly tempDir?: string;
  readonly maxSpill?: string;
  readonly out?: string;
  readonly pairs?: string;
  readonly allPairs?: boolean;
  readonly modelOut?: string;
  readonly reportHtml?: string;
  readonly showValues?: boolean;
  readonly truth?: string;
  readonly report?: boolean;
  readonly spreadsheetSafe?: boolean;
  readonly json?: boolean;
  readonly threads?: number;
  readonly refitPrior?: boolean;
  readonly workDb?: string;
}

/** Refuses the options an engine does not support, before anything is read. */
export function checkEngineOptions(opts: EngineOptions & { model?: string }): void {
  if (opts.workDb !== undefined && opts.engine !== 'duckdb') throw new MpiError('BAD_ARGS', '--work-db needs --engine duckdb');
  if (opts.workDb !== undefined && opts.model === undefined) throw new MpiError('BAD_ARGS', '--work-db needs --model: a run that trains is not resumable');
  if (opts.engine === 'in-process') {
    if (opts.outSql !== undefined) throw new MpiError('BAD_ARGS', '--out-sql needs --engine sql');
    return;
  }
  if (opts.engine === 'sql' && opts.refitPrior) throw new MpiError('BAD_ARGS', '--engine sql does not fit the prior (--refit-prior): the job applies the model as it is');
  if (opts.engine === 'sql' && opts.modelOut !== undefined) throw new MpiError('BAD_ARGS', '--engine sql does not write --model-out (without --model the job counts what training needs: mpi sql train writes the model)');
  const unsupported = [
    ['--pairs', opts.engine === 'sql' ? opts.pairs : undefined],
    ['--report-html', opts.engine === 'sql' ? opts.reportHtml : undefined],
    ['--report', opts.engine === 'sql' ? opts.report : undefined],
  ].filter(([, value]) => value !== undefined && value !== false);
  if (unsupported.length > 0) throw new MpiError('BAD_ARGS', `--engine ${opts.engine} does not write ${unsupported.map(([name]) => name).join(', ')} yet`);
  if (opts.engine === 'sql' && opts.outSql === undefined) throw new MpiError('BAD_ARGS', '--engine sql writes the job: give --out-sql DIR');
  if (opts.engine === 'duckdb' && opts.out === undefined) throw new MpiError('BAD_ARGS', '--engine duckdb: give --out (the groups file)');
}

/**
 * Runs `mpi link` on a SQL engine: DuckDB links and writes the groups file
 * (same format and atomic write as the in-process engine); `sql` writes the job.
 * Prints the summary (or --json) on stdout.
 */
export async function linkOnEngine(
  opts: EngineOptions,
  settings: Settings,
  sources: readonly SourceInput[],
  model: FellegiSunterModel | undefined,
  onProgress: (event: ProgressEvent) => void,
): Promise<void> {
  const duckdb: DuckDbOptions = {
    ...(opts.memoryLimit !== undefined ? { memoryLimit: opts.memoryLimit } : {}),
    ...(opts.tempDir !== undefined ? { tempDirectory: opts.tempDir } : {}),
    ...(opts.maxSpill !== undefined ? { maxTempDirectorySize: opts.maxSpill } : {}),
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  };
  if (opts.engine === 'sql') {
    const written = await writeSqlJob({ settings, sources, model, onProgress, threads: opts.threads, duckdb, dialect: opts.dialect, dir: opts.outSql! });
    const summary = { command: 'link', engine: 'sql', dialect: opts.dialect, job: model === undefined ? 'training' : 'linkage', records: written.records, statements: written.statements, files: written.files };
    process.stdout.write(opts.json ? JSON.stringify(summary, null, 2) + '\n' : `wrote ${written.files.join(', ')} (${written.statements} statements, ${written.records} records, ${opts.dialect}${model === undefined ? '; it counts what training needs: mpi sql train reads them' : ''}) into ${written.dir}\n`);
    return;
  }
  // DuckDB's work database and spill go into a scratch folder of their own, removed after (and on a signal): next to the
  // groups file without --temp-dir (the output's disk has room for it), else inside --temp-dir.
  const scratch =
    opts.tempDir === undefined
      ? holdScratchFolder(join(dirname(resolve(opts.out!)), `.${basename(opts.out!)}.duckdb-spill-${process.pid}`))
      : holdScratchFolder(join(opts.tempDir, '.mpi-duckdb-'), { under: true });
  // The tables in a database file, not in memory: DuckDB stores a file's tables compressed and reads them back
  // from it, where an in-memory table past memory_limit is spilled as it is (at 1M records with a 1 GB limit:
  // no spill instead of 107 MiB, docs/sql-engine.md).
  // With --work-db the database is the user's file, outside the scratch folder: kept when the run stops, so the same command resumes it.
  const workDb = opts.workDb === undefined ? undefined : resolve(opts.workDb);
  const work: DuckDbOptions = { ...duckdb, tempDirectory: scratch, path: workDb ?? join(scratch, 'work.duckdb') };
  // The groups file, the pairs file and the trained model appear together or not at all.
  const staged: AtomicFile[] = [];
  const spreadsheetSafe = Boolean(opts.spreadsheetSafe);
  let result: SqlLinkSummary;
  let reportSeconds: number | undefined;
  try {
    // DuckDB writes the groups file and the pairs (the links, or with --all-pairs every scored pair) from its own tables before it closes.
    const outputs = async (records: LinkedInDuckDb) => {
      staged.push(await stageGroupsInDuckDb(records, opts.out!, { spreadsheetSafe, label: '--out' }));
      if (opts.pairs !== undefined) staged.push(await stagePairsInDuckDb(records, opts.pairs, { minProbability: opts.allPairs ? 0 : undefined, spreadsheetSafe, label: '--pairs' }));
      if (opts.reportHtml !== undefined) {
        const truth = opts.truth === undefined ? undefined : memberships(opts.truth, 'person_id', 'truth');
        const started = performance.now();
        const html = await buildReportHtmlInDuckDb(records, { showValues: opts.showValues, truth });
        staged.push(await stageFile(opts.reportHtml, '--report-html', (file) => file.write(html)));
        reportSeconds = (performance.now() - started) / 1000;
      }
    };
    try {
      // The steps a resumed run skips are named (never a value of a record).
      const onResume = (recorded: readonly string[]) => process.stderr.write(`mpi: going on with the run in ${workDb} after: ${recorded.length === 0 ? 'nothing (it starts over)' : recorded.join(', ')}\n`);
      const resumable = { resumable: workDb !== undefined, onResume };
      result = await linkInDuckDb({ settings, sources, model, refitPrior: Boolean(opts.refitPrior), onProgress, threads: opts.threads, duckdb: work, outputs, keepValues: Boolean(opts.showValues), ...resumable });
    } catch (error) {
      if (workDb !== undefined && existsSync(workDb) && !(error instanceof WorkDatabaseError)) process.stderr.write(`mpi: the work database ${workDb} is kept: the same command goes on from its last finished step\n`);
      throw error;
    } finally {
      releaseScratchFolder(scratch);
    }
    for (const warning of result.table.warnings) process.stderr.write(`mpi: warning: ${warning.message}\n`);
    if (opts.modelOut !== undefined) {
      const json = serializeModel(result.model);
      staged.push(await stageFile(opts.modelOut, '--model-out', (file) => file.write(json)));
    }
  } catch (error) {
    for (const file of staged) file.discard();
    throw error;
  }
  publishAll(staged);
  // The outputs are in place: the run's work database has served (DuckDB's write-ahead log beside it too).
  if (workDb !== undefined) for (const file of [workDb, `${workDb}.wal`]) rmSync(file, { force: true });
  const summary = {
    command: 'link',
    engine: 'duckdb',
    records: result.table.size,
    candidatePairs: result.run.pairCount,
    groups: result.clustering.groupCount,
    model: model === undefined ? 'trained' : opts.refitPrior ? 'given, prior fitted' : 'given',
    labelPropagationRounds: result.run.rounds,
    seconds: reportSeconds === undefined ? result.seconds : { ...result.seconds, report: reportSeconds },
    ...(result.resumedAfter === undefined ? {} : { resumedAfter: result.resumedAfter }),
  };
  if (opts.report) process.stdout.write(formatModelReport(result.model) + '\n');
  process.stdout.write(
    opts.json
      ? JSON.stringify(summary, null, 2) + '\n'
      : `${summary.records} records, ${summary.candidatePairs} candidate pairs, ${summary.groups} identity groups (DuckDB; read ${result.seconds.read.toFixed(1)} s, load ${result.seconds.load.toFixed(1)} s, SQL ${result.seconds.sql.toFixed(1)} s, files ${result.seconds.write.toFixed(1)} s${reportSeconds === undefined ? '' : `, of which the report ${reportSeconds.toFixed(1)} s`}${result.resumedAfter === undefined ? '' : `; resumed after: ${result.resumedAfter.join(', ')}`})\n`,
  );
}
