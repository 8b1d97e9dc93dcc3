import type { Command } from 'commander';
import { formatModelReport, parseModel } from '@mpi/scoring';
import { checkOutputPaths, type NamedPath } from '../output/output-paths.js';
import { writeLinkOutputs } from '../output/write-link-outputs.js';
import { MpiError } from '../errors.js';
import { link } from '../pipeline/link.js';
import { inferSettings, type InferredSettings } from '../read/infer-settings.js';
import type { SourceInput } from '../read/source-input.js';
import type { Settings } from '../settings/settings.js';
import { formatInference } from './inference-report.js';
import { loadSettings, readJson } from './input-files.js';
import { addSourceOptions, modeOption, positiveInt, probability, withSourceOptions } from './options.js';
import { requireReportForTruth, requireReportForValues } from './report-options.js';
import { readMemberships } from './read-memberships.js';
import type { Membership } from '../evaluate/evaluate.js';
import { progressPrinter } from './progress.js';
import { formatSummary, linkSummary } from './summary.js';
import { addEngineOptions, checkEngineOptions, linkOnEngine } from './link-engine.js';

/** The files a link run writes, by the option that names them; at least one is required. */
function linkOutputs(opts: { out?: string; pairs?: string; modelOut?: string; reportHtml?: string }): NamedPath[] {
  const outputs = [
    ...(opts.out !== undefined ? [{ option: '--out', path: opts.out }] : []),
    ...(opts.pairs !== undefined ? [{ option: '--pairs', path: opts.pairs }] : []),
    ...(opts.modelOut !== undefined ? [{ option: '--model-out', path: opts.modelOut }] : []),
    ...(opts.reportHtml !== undefined ? [{ option: '--report-html', path: opts.reportHtml }] : []),
  ];
  if (outputs.length === 0) throw new MpiError('BAD_ARGS', 'nothing to write: give --out (groups), --pairs, --model-out or --report-html');
  return outputs;
}

/**
 * The settings of a run: the --settings file, or, without one, settings inferred
 * from the sources, which are printed on stderr (names and kinds only) so the
 * person sees what was assumed; --mode, --threshold and --max-pairs override either.
 */
async function runSettings(opts: Record<string, unknown>, sources: readonly SourceInput[]): Promise<{ settings: Settings; inferred?: InferredSettings }> {
  let settings: Settings;
  let inferred: InferredSettings | undefined;
  if (opts.settings !== undefined) settings = await loadSettings(opts.settings as string);
  else {
    inferred = await inferSettings(sources);
    process.stderr.write('mpi: no --settings given: settings inferred from the sources (mpi init writes them to a file to check and edit)\n');
    if (!opts.quiet) process.stderr.write(formatInference(inferred) + '\n');
    settings = inferred.settings;
  }
  if (opts.mode !== undefined) settings = { ...settings, mode: opts.mode as Settings['mode'] };
  if (opts.threshold !== undefined) settings = { ...settings, threshold: opts.threshold as number };
  if (opts.maxPairs !== undefined) settings = { ...settings, maxPairs: opts.maxPairs as number };
  return { settings, inferred };
}

/** Adds the `link` command to the program. */
export function addLinkCommand(program: Command): void {
  addEngineOptions(addSourceOptions(program.command('link').description('link the sources into identity groups')))
    .option('--settings <file>', 'settings JSON (default: inferred from the sources, as mpi init infers them)')
    .option('--out <file>', 'groups CSV to write: source,record_id,identity_id')
    .option('--pairs <file>', 'pairs CSV to write: the scored pairs at or above the threshold')
    .option('--all-pairs', 'with --pairs: write every scored candidate pair, not only links')
    .option('--threads <n>', 'most worker threads for reading and comparing (small inputs on few cores use fewer)', positiveInt)
    .addOption(modeOption('which pairs are compared, overriding the settings (link: across sources only)'))
    .option('--threshold <p>', 'match probability needed to link (overrides settings)', probability)
    .option('--max-pairs <n>', 'refuse blocking that would produce more candidate pairs', positiveInt)
    .option('--model <file>', 'apply a trained model instead of training')
    .option('--model-out <file>', 'write the trained model as JSON')
    .option('--refit-prior', 'with --model: fit its prior to these records (for a model trained on a sample, applied to more records)')
    .option('--spreadsheet-safe', 'for files opened in a spreadsheet: prefix ids starting with = + - @, tab or CR with a single quote')
    .option('--report', 'print the model report (m, u, match weights per level)')
    .option('--report-html <file>', 'write an HTML report for data teams: charts of match weights, m/u, blocking, estimated precision/recall (docs/report.md)')
    .option('--show-values', 'with --report-html: include record values of pairs near the threshold (the file is then PHI)')
    .option('--truth <file>', 'with --report-html: a truth CSV (source,record_id,person_id): adds the measured precision/recall curve and pair completeness')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the summary as one JSON object on stdout (counts, seconds per stage, warning codes)')
    .action(async (opts) => {
      if (opts.json && opts.report) throw new MpiError('BAD_ARGS', '--report and --json both print on stdout: give one of them');
      requireReportForValues(opts);
      requireReportForTruth(opts);
      checkEngineOptions(opts);
      if (opts.refitPrior && !opts.model) throw new MpiError('BAD_ARGS', '--refit-prior needs --model (a trained model\'s prior is fitted anyway)');
      // The SQL job's folder is made and its files written atomically by writeSqlJob.
      const outputs = opts.engine === 'sql' ? [] : linkOutputs(opts);
      checkOutputPaths(outputs, [
        ...(opts.settings !== undefined ? [{ option: '--settings', path: opts.settings as string }] : []),
        ...(opts.source as { path: string }[]).map((source) => ({ option: '--source', path: source.path })),
        ...(opts.model ? [{ option: '--model', path: opts.model as string }] : []),
        ...(opts.truth !== undefined ? [{ option: '--truth', path: opts.truth as string }] : []),
      ]);
      const sources = withSourceOptions(opts.source, opts);
      const { settings, inferred } = await runSettings(opts, sources);
      const model = opts.model ? parseModel(JSON.stringify(await readJson(opts.model, 'model'))) : undefined;
      if (opts.engine !== 'in-process') return linkOnEngine(opts, settings, sources, model, progressPrinter(Boolean(opts.quiet)));
      // In process the result holds every record anyway: the truth is read whole (DuckDB streams it into its own table).
      const truth: Membership[] | undefined = opts.truth === undefined ? undefined : [];
      if (truth !== undefined) await readMemberships(opts.truth, 'person_id', 'truth', (m) => void truth.push(m));
      const result = await link({ settings, sources, threads: opts.threads, model, refitPrior: Boolean(opts.refitPrior), onProgress: progressPrinter(Boolean(opts.quiet)) });
      // Loud, even with --quiet: a column that failed as a whole changes what the run means.
      for (const warning of result.table.warnings) process.stderr.write(`mpi: warning: ${warning.message}\n`);
      const writeStarted = performance.now();
      await writeLinkOutputs(result, { out: opts.out, pairs: opts.pairs, allPairs: opts.allPairs, modelOut: opts.modelOut, spreadsheetSafe: opts.spreadsheetSafe, reportHtml: opts.reportHtml, showValues: opts.showValues, truth });
      const writeSeconds = (performance.now() - writeStarted) / 1000;
      if (opts.report) process.stdout.write(formatModelReport(result.model) + '\n');
      const summary = linkSummary(result, writeSeconds);
      process.stdout.write((opts.json ? JSON.stringify({ command: 'link', settings: inferred ? 'inferred' : 'file', ...summary, ...(inferred ? { inferred: inferred.sources } : {}) }, null, 2) : formatSummary(summary)) + '\n');
    });
}
