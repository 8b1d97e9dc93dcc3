#!/usr/bin/env node
/**
 * The `mpi` command: a thin layer over the public API (link, evaluate, explain).
 * Progress goes to stderr, results to files, the summary to stdout. No record
 * value is ever printed.
 */
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import Papa from 'papaparse';
import { InvalidBlockingRuleError, PairBudgetExceededError, UnknownBlockingColumnError } from '@mpi/blocking';
import {
  formatModelReport,
  InvalidComparisonError,
  InvalidModelError,
  parseModel,
  serializeModel,
} from '@mpi/scoring';
import { MpiError } from './errors.js';
import { Evaluation, type Membership } from './evaluate.js';
import { explainRows } from './explain.js';
import { link, type ProgressEvent } from './link.js';
import { buildRecordTable } from './record-table.js';
import { validateSettings, type Settings } from './settings.js';
import type { SourceInput } from './sources.js';
import { formatSummary } from './summary.js';
import { writeGroupsCsv, writePairsCsv } from './write-results.js';

function sourceArg(value: string, previous: SourceInput[] = []): SourceInput[] {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new InvalidArgumentError('expected NAME=FILE');
  return [...previous, { name: value.slice(0, eq), path: value.slice(eq + 1) }];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function probability(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a probability in [0, 1]');
  return n;
}

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
  return validateSettings(await readJson(path, 'settings'));
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
 * Streams the memberships of a groups or truth CSV (`source,record_id,<groupColumn>`)
 * to `visit`: a 10M-row file is never held as one string or as objects. A file
 * with no data row is refused: scored against nothing, an empty groups file
 * came out as F1 1.0000.
 */
async function readMemberships(path: string, groupColumn: string, what: string, visit: (membership: Membership) => void): Promise<void> {
  const stream = createReadStream(path, 'utf8');
  await new Promise<void>((resolve, reject) => {
    stream.on('error', (error: NodeJS.ErrnoException) =>
      reject(new MpiError('FILE_UNREADABLE', `cannot read ${what} file ${path} (${error.code ?? error.message})`)),
    );
    let row = 0;
    Papa.parse<Record<string, string>>(stream, {
      header: true,
      skipEmptyLines: 'greedy',
      delimiter: ',',
      transformHeader: (h) => h.trim(),
      transform: (v) => v.trim(),
      step: (result, parser) => {
        row++;
        const problem = result.errors[0];
        const data = result.data;
        let failure: MpiError | undefined;
        if (problem) failure = new MpiError('MALFORMED_CSV', `${what} file ${path} is malformed CSV at data row ${row} (${problem.code})`);
        else if (!(groupColumn in data && 'source' in data && 'record_id' in data)) {
          failure = new MpiError('MISSING_COLUMN', `${what} file needs columns source, record_id, ${groupColumn}`);
        }
        if (failure) {
          parser.abort();
          reject(failure);
          return;
        }
        visit({ source: data.source, recordId: data.record_id, group: data[groupColumn] });
      },
      complete: () => (row === 0 ? reject(new MpiError('EMPTY_FILE', `${what} file ${path} has no data rows`)) : resolve()),
      error: (error: Error) => reject(new MpiError('FILE_UNREADABLE', `cannot read ${what} file ${path} (${error.message})`)),
    });
  });
}

const program = new Command();
program.name('mpi').description('Patient matching: link records from many sources into identity groups.').showHelpAfterError();

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
  .option('--report', 'print the model report (m, u, match weights per level)')
  .option('--quiet', 'no progress output')
  .action(async (opts) => {
    let settings = await loadSettings(opts.settings);
    if (opts.threshold !== undefined) settings = { ...settings, threshold: opts.threshold };
    if (opts.maxPairs !== undefined) settings = { ...settings, maxPairs: opts.maxPairs };
    const model = opts.model ? parseModel(JSON.stringify(await readJson(opts.model, 'model'))) : undefined;
    const result = await link({ settings, sources: opts.source, threads: opts.threads, model, onProgress: progressPrinter(Boolean(opts.quiet)) });
    const writeStarted = performance.now();
    await writeGroupsCsv(result, opts.out);
    if (opts.pairs) await writePairsCsv(result, opts.pairs, opts.allPairs ? 0 : result.threshold);
    if (opts.modelOut) await writeFile(opts.modelOut, serializeModel(result.model));
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
    if (!report.conservation.ok) process.exitCode = 1;
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
    const rows = (opts.record as string[]).map((ref) => {
      const colon = ref.indexOf(':');
      const source = ref.slice(0, colon);
      const recordId = ref.slice(colon + 1);
      const s = table.sources.indexOf(source);
      const row = colon > 0 ? table.recordIds.findIndex((id, r) => id === recordId && table.source[r] === s) : -1;
      if (row < 0) throw new MpiError('UNKNOWN_RECORD', `no record ${ref}`);
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
  const userError = [MpiError, PairBudgetExceededError, UnknownBlockingColumnError, InvalidBlockingRuleError, InvalidComparisonError, InvalidModelError];
  if (userError.some((Class) => error instanceof Class)) {
    process.stderr.write(`mpi: ${(error as Error).message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`mpi: internal error: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 70;
  }
});
