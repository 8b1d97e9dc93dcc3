import type { Command } from 'commander';
import { formatModelReport, parseModel } from '@mpi/scoring';
import { checkOutputPaths, type NamedPath } from '../output/output-paths.js';
import { writeLinkOutputs } from '../output/write-link-outputs.js';
import { link } from '../pipeline/link.js';
import { loadSettings, readJson } from './input-files.js';
import { encodingArg, positiveInt, probability, sourceArg, withSourceOptions } from './options.js';
import { progressPrinter } from './progress.js';
import { formatSummary } from './summary.js';

/** The files a link run writes, by the option that names them. */
function linkOutputs(opts: { out: string; pairs?: string; modelOut?: string }): NamedPath[] {
  return [
    { option: '--out', path: opts.out },
    ...(opts.pairs !== undefined ? [{ option: '--pairs', path: opts.pairs }] : []),
    ...(opts.modelOut !== undefined ? [{ option: '--model-out', path: opts.modelOut }] : []),
  ];
}

/** Adds the `link` command to the program. */
export function addLinkCommand(program: Command): void {
  program
    .command('link')
    .description('link the sources into identity groups')
    .requiredOption('--settings <file>', 'settings JSON')
    .requiredOption('--source <NAME=FILE>', 'a named source (CSV or NDJSON); repeat for several', sourceArg)
    .option('--encoding <NAME=ENCODING>', "a source's text encoding: utf-8 (default), latin1 or windows-1252; repeat for several", encodingArg)
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
      const result = await link({ settings, sources: withSourceOptions(opts.source, opts), threads: opts.threads, model, onProgress: progressPrinter(Boolean(opts.quiet)) });
      const writeStarted = performance.now();
      await writeLinkOutputs(result, { out: opts.out, pairs: opts.pairs, allPairs: opts.allPairs, modelOut: opts.modelOut, spreadsheetSafe: opts.spreadsheetSafe });
      const writeSeconds = (performance.now() - writeStarted) / 1000;
      if (opts.report) process.stdout.write(formatModelReport(result.model) + '\n');
      process.stdout.write(formatSummary(result, writeSeconds) + '\n');
    });
}
