/**
 * The `mpi` command: a thin layer over the public API (link, evaluate, explain).
 * Progress and messages go to stderr, results to files, the summary and reports
 * to stdout. No record value is ever printed. Exit codes: exit-codes.ts.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import { Command, CommanderError } from 'commander';
import { formatModelReport, parseModel } from '@mpi/scoring';
import { removeTemporaryFilesSync } from '../output/atomic-file.js';
import { positiveInt, probability, sourceArg } from './options.js';
import { MpiError } from '../errors.js';
import { Evaluation } from '../evaluate/evaluate.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { explainRows } from '../pipeline/explain.js';
import { link, type ProgressEvent } from '../pipeline/link.js';
import { checkOutputPaths, type NamedPath } from '../output/output-paths.js';
import { readMemberships } from './read-memberships.js';
import { buildRecordTable } from '../read/record-table.js';
import { validateSettings, type Settings } from '../settings/settings.js';
import { formatSummary } from './summary.js';
import { writeLinkOutputs } from '../output/write-link-outputs.js';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new MpiError('FILE_UNREADABLE', `cannot read ${what} file ${path} (${(error as { code?: string }).code ?? 'error'})`);
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readText(path, what);
  try {
    return JSON.parse(text);
  } catch {
    throw new MpiError('BAD_JSON', `${what} file ${path} is not valid JSON`);
  }
}

async function loadSettings(path: string): Promise<Settings> {
  // Not readJson: JSON.parse keeps the last of a repeated key without a word.
  // Loaded here, as only the commands that read settings need the parser.
  const { parseSettingsJson } = await import('../settings/json.js');
  return validateSettings(parseSettingsJson(await readText(path, 'settings'), path));
}

/**
 * Progress on stderr: a bar (cli-progress) while a long stage reports partial
 * progress on a terminal, and one line per finished stage. Counts only, never values.
 */
function progressPrinter(quiet: boolean): (event: ProgressEvent) => void {
  if (quiet) return () => {};
  const started = performance.now();
  const tty = Boolean(process.stderr.isTTY);
  let bar: SingleBar | undefined;
  let barStage: string | undefined;
  const finishedStages = new Set<string>();
  return (event) => {
    const finished = event.done >= event.total;
    if (!finished) {
      if (!tty) return;
      if (barStage !== event.stage) {
        bar?.stop();
        bar = new SingleBar({ format: `${event.stage} [{bar}] {percentage}% {value}/{total} | eta {eta}s`, stream: process.stderr }, Presets.shades_classic);
        bar.start(event.total, event.done);
        barStage = event.stage;
      } else bar?.update(event.done);
      return;
    }
    if (bar !== undefined && barStage === event.stage) {
      bar.update(event.done);
      bar.stop();
      bar = undefined;
      barStage = undefined;
    }
    // The pool's last partial report and the stage's own end both say "finished": print once.
    if (finishedStages.has(event.stage)) return;
    finishedStages.add(event.stage);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stderr.write(`[${seconds}s] ${event.stage} done (${event.done})\n`);
  };
}

/**
 * A signal ends the run at once with 128 + its number, after removing the
 * temporary files of outputs being written: every output is the previous file
 * (or, if the signal came after the outputs were renamed into place, the
 * complete new one), never a prefix.
 */
for (const [signal, code] of [['SIGINT', EXIT.sigint], ['SIGTERM', EXIT.sigterm]] as const) {
  process.on(signal, () => {
    removeTemporaryFilesSync();
    process.stderr.write(`mpi: interrupted by ${signal}; no output was left half written\n`);
    process.exit(code);
  });
}

/** An error no code path caught (a bug, e.g. in an event handler) still removes temporary files and exits 70, not node's 1. */
function internalError(error: unknown): void {
  removeTemporaryFilesSync();
  process.stderr.write(`mpi: internal error: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(EXIT.internal);
}
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const program = new Command();
// Set before the subcommands are declared: commander copies these settings into each.
program
  .name('mpi')
  .description('Patient matching: link records from many sources into identity groups.')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError()
  // Commander would exit 1 on a usage error; throwing lets exitCodeFor map it to 2.
  .exitOverride()
  .configureOutput({ outputError: (message, write) => write(`mpi: ${message.replace(/^error: /, '')}`) });

/** The files a link run writes, by the option that names them. */
function linkOutputs(opts: { out: string; pairs?: string; modelOut?: string }): NamedPath[] {
  return [
    { option: '--out', path: opts.out },
    ...(opts.pairs !== undefined ? [{ option: '--pairs', path: opts.pairs }] : []),
    ...(opts.modelOut !== undefined ? [{ option: '--model-out', path: opts.modelOut }] : []),
  ];
}

program
  .command('link')
  .description('link the sources into identity groups')
  .requiredOption('--settings <file>', 'settings JSON')
  .requiredOption('--source <NAME=FILE>', 'a named source (CSV or NDJSON); repeat for several', sourceArg)
  .requiredOption('--out <file>', 'groups CSV to write: source,record_id,identity_id')
  .option('--pairs <file>', 'pairs CSV to write: the scored pairs at or above the threshold')
  .option('--all-pairs', 'with --pairs: write every scored candidate pair, not only links')
  .option('--threads <n>', 'most worker threads for reading and comparing (small inputs on few cores use fewer)', positiveInt)
  .option('--threshold <p>', 'match probability needed to link (overrides settings)', probability)
  .option('--max-pairs <n>', 'refuse blocking that would produce more candidate pairs', positiveInt)
  .option('--model <file>', 'apply a trained model instead of training')
  .option('--model-out <file>', 'write the trained model as JSON')
  .option('--spreadsheet-safe', 'for files opened in a spreadsheet: prefix ids starting with = + - @, tab or CR with a single quote')
  .option('--report', 'print the model report (m, u, match weights per level)')
  .option('--quiet', 'no progress output')
  .action(async (opts) => {
    checkOutputPaths(linkOutputs(opts), [
      { option: '--settings', path: opts.settings },
      ...(opts.source as { path: string }[]).map((source) => ({ option: '--source', path: source.path })),
      ...(opts.model ? [{ option: '--model', path: opts.model as string }] : []),
    ]);
    let settings = await loadSettings(opts.settings);
    if (opts.threshold !== undefined) settings = { ...settings, threshold: opts.threshold };
    if (opts.maxPairs !== undefined) settings = { ...settings, maxPairs: opts.maxPairs };
    const model = opts.model ? parseModel(JSON.stringify(await readJson(opts.model, 'model'))) : undefined;
    const result = await link({ settings, sources: opts.source, threads: opts.threads, model, onProgress: progressPrinter(Boolean(opts.quiet)) });
    const writeStarted = performance.now();
    await writeLinkOutputs(result, { out: opts.out, pairs: opts.pairs, allPairs: opts.allPairs, modelOut: opts.modelOut, spreadsheetSafe: opts.spreadsheetSafe });
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    if (opts.report) process.stdout.write(formatModelReport(result.model) + '\n');
    process.stdout.write(formatSummary(result, writeSeconds) + '\n');
  });

program
  .command('evaluate')
  .description('score identity groups against a truth file')
  .requiredOption('--groups <file>', 'groups CSV: source,record_id,identity_id')
  .requiredOption('--truth <file>', 'truth CSV: source,record_id,person_id')
  .option('--json', 'print JSON instead of a table')
  .action(async (opts) => {
    const evaluation = new Evaluation();
    await readMemberships(opts.truth, 'person_id', 'truth', (m) => evaluation.addTruth(m));
    await readMemberships(opts.groups, 'identity_id', 'groups', (m) => evaluation.addPredicted(m));
    const report = evaluation.report();
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

program
  .command('explain')
  .description('explain the match weight of two records under a trained model')
  .requiredOption('--model <file>', 'trained model JSON (from link --model-out)')
  .requiredOption('--settings <file>', 'settings JSON')
  .requiredOption('--source <NAME=FILE>', 'a named source; repeat for several', sourceArg)
  .requiredOption('--record <SOURCE:ID>', 'a record; give exactly two', (v: string, prev: string[] = []) => [...prev, v])
  .option('--json', 'print JSON')
  .action(async (opts) => {
    if (opts.record.length !== 2) throw new MpiError('BAD_ARGS', 'give --record exactly twice');
    const model = parseModel(JSON.stringify(await readJson(opts.model, 'model')));
    const table = await buildRecordTable(opts.source, await loadSettings(opts.settings));
    const rows = (opts.record as string[]).map((ref, k) => {
      const colon = ref.indexOf(':');
      const source = ref.slice(0, colon);
      const recordId = ref.slice(colon + 1);
      const s = table.sources.indexOf(source);
      const row = colon > 0 ? table.recordIds.findIndex((id, r) => id === recordId && table.source[r] === s) : -1;
      // The id is not repeated: record ids (MRNs) are patient identifiers.
      if (row < 0) throw new MpiError('UNKNOWN_RECORD', `the ${k === 0 ? 'first' : 'second'} --record names no record of the sources`);
      return row;
    });
    const explanation = explainRows(table, model, rows[0], rows[1]);
    if (opts.json) {
      process.stdout.write(JSON.stringify(explanation, null, 2) + '\n');
      return;
    }
    const lines = [`prior                         ${explanation.priorWeight.toFixed(3)}`];
    for (const t of explanation.terms) {
      const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
      const parts = [
        t.tfAdjustment !== 0 ? `tf ${signed(t.tfAdjustment)}` : '',
        t.groupAdjustment !== 0 ? `evidence group ${signed(t.groupAdjustment)}` : '',
      ].filter(Boolean);
      const total = t.weight + t.tfAdjustment + t.groupAdjustment;
      lines.push(`${t.comparison.padEnd(16)} ${t.label.padEnd(40)} ${total.toFixed(3).padStart(8)}${parts.length ? ` (${parts.join(', ')})` : ''}`);
    }
    lines.push(`match weight ${explanation.matchWeight.toFixed(3)}, match probability ${explanation.matchProbability.toPrecision(6)}`);
    process.stdout.write(lines.join('\n') + '\n');
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  const code = exitCodeFor(error);
  // Commander has already printed its usage errors (see configureOutput).
  if (!(error instanceof CommanderError)) {
    process.stderr.write(code === EXIT.internal ? `mpi: internal error: ${(error as Error)?.message ?? String(error)}\n` : `mpi: ${(error as Error).message}\n`);
  }
  process.exitCode = code;
});
