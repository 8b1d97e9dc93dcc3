import { Option, type Command } from 'commander';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MpiError } from '../errors.js';
import { Evaluation, type EvaluationReport } from '../evaluate/evaluate.js';
import { evaluateInDuckDb } from '../evaluate/evaluate-in-duckdb.js';
import { holdScratchFolder, releaseScratchFolder } from '../output/scratch-folder.js';
import { EXIT } from './exit-codes.js';
import { memberships, readMemberships } from './read-memberships.js';
import { positiveInt, probability } from './options.js';
import { evaluateReport } from './report-options.js';

/** Adds the `evaluate` command to the program. */
export function addEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description('score identity groups against a truth file')
    .requiredOption('--groups <file>', 'groups CSV: source,record_id,identity_id')
    .requiredOption('--truth <file>', 'truth CSV: source,record_id,person_id')
    .option('--json', 'print the report as one JSON object on stdout instead of a table')
    .option('--report-html <file>', 'write the HTML report with the measured precision/recall curve beside the estimated one (needs --pairs; docs/report.md)')
    .option('--pairs <file>', 'with --report-html: the pairs CSV of the run, written with --all-pairs')
    .option('--model <file>', 'with --report-html: the model JSON of the run (--model-out), for its m and u')
    .option('--threshold <p>', 'with --report-html: the match probability the run linked at (default 0.5)', probability)
    .addOption(new Option('--engine <engine>', 'in-process (up to 16,777,216 records) or duckdb (out of core, for larger files)').choices(['in-process', 'duckdb']).default('in-process'))
    .option('--memory-limit <size>', "with --engine duckdb: DuckDB's memory_limit, e.g. 2GB (default: half the machine's memory)")
    .option('--temp-dir <dir>', "with --engine duckdb: where DuckDB spills past --memory-limit, in a new folder inside it (default: the system's temporary folder); removed after")
    .option('--max-spill <size>', "with --engine duckdb: the most DuckDB may spill, e.g. 20GB")
    .option('--threads <n>', "with --engine duckdb: DuckDB's threads", positiveInt)
    .action(async (opts) => {
      let report: EvaluationReport;
      if (opts.engine === 'duckdb') {
        if (opts.reportHtml !== undefined) throw new MpiError('BAD_ARGS', '--engine duckdb does not write --report-html: evaluate in process for the report');
        report = await evaluateOutOfCore(opts);
      } else {
        const duckdbOnly = ([['--memory-limit', opts.memoryLimit], ['--temp-dir', opts.tempDir], ['--max-spill', opts.maxSpill], ['--threads', opts.threads]] as const).find(([, value]) => value !== undefined);
        if (duckdbOnly !== undefined) throw new MpiError('BAD_ARGS', `${duckdbOnly[0]} needs --engine duckdb`);
        const htmlReport = evaluateReport(opts);
        const evaluation = new Evaluation();
        await readMemberships(opts.truth, 'person_id', 'truth', (m) => {
          evaluation.addTruth(m);
          htmlReport?.truth.add(m);
        });
        await readMemberships(opts.groups, 'identity_id', 'groups', (m) => evaluation.addPredicted(m));
        report = evaluation.report();
        await htmlReport?.write();
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const f = (x: number) => x.toFixed(4);
      process.stdout.write(
        [
          `records ${report.records}${report.conservation.ok ? '' : ' (scores cover only the records in both files)'}, groups ${report.groups}, persons ${report.persons}`,
          `pairwise  precision ${f(report.pairwise.precision)} recall ${f(report.pairwise.recall)} F1 ${f(report.pairwise.f1)}`,
          `B-cubed   precision ${f(report.bcubed.precision)} recall ${f(report.bcubed.recall)} F1 ${f(report.bcubed.f1)}`,
          `split persons ${report.splitPersons}, mixed groups ${report.mixedGroups}`,
          `conservation ${report.conservation.ok ? 'ok' : 'FAILED'} (missing ${report.conservation.missing}, unexpected ${report.conservation.unexpected}, duplicated ${report.conservation.duplicated})`,
        ].join('\n') + '\n',
      );
      if (!report.conservation.ok) process.exitCode = EXIT.conservation;
    });
}

/**
 * The evaluation in DuckDB: the two files streamed by our reader (the same
 * checks and errors as in process) into DuckDB's memory, spilling past the
 * limit into a scratch folder removed after and on a signal. Not a database
 * file, as mpi link uses: appending the memberships to one took 10.6-17.5 s at
 * 1M records against 7.2-8.0 s in memory (docs/sql-engine.md).
 */
async function evaluateOutOfCore(opts: { groups: string; truth: string; memoryLimit?: string; tempDir?: string; maxSpill?: string; threads?: number }): Promise<EvaluationReport> {
  const scratch = holdScratchFolder(join(opts.tempDir ?? tmpdir(), '.mpi-duckdb-'), { under: true });
  try {
    return await evaluateInDuckDb(memberships(opts.groups, 'identity_id', 'groups'), memberships(opts.truth, 'person_id', 'truth'), {
      tempDirectory: scratch,
      ...(opts.memoryLimit !== undefined ? { memoryLimit: opts.memoryLimit } : {}),
      ...(opts.maxSpill !== undefined ? { maxTempDirectorySize: opts.maxSpill } : {}),
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    });
  } finally {
    releaseScratchFolder(scratch);
  }
}
