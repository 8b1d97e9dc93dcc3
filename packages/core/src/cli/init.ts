import type { Command } from 'commander';
import { writeTextAtomically } from '../output/atomic-file.js';
import { checkOutputPaths } from '../output/output-paths.js';
import { inferSettings } from '../read/infer-settings.js';
import { formatInference } from './inference-report.js';
import { addSourceOptions, modeOption, withSourceOptions, type NamedSource } from './options.js';

/**
 * Adds the `init` command: settings inferred from the sources (record id, field
 * kinds, birth date formats), written for a person to check and edit. What was
 * decided per column is printed (names and kinds, never values): on stdout with
 * --out, else on stderr beside the settings on stdout.
 */
export function addInitCommand(program: Command): void {
  addSourceOptions(program.command('init').description('infer settings (record id, field kinds, date formats) from the sources, for editing'))
    .addOption(modeOption('the link mode to write into the settings (default: none, i.e. dedupe)'))
    .option('--out <file>', 'settings JSON to write (default: print it on stdout)')
    .option('--json', 'print one JSON object on stdout: the settings and the decisions per column')
    .action(async (opts) => {
      const sources = opts.source as NamedSource[];
      if (opts.out !== undefined) checkOutputPaths([{ option: '--out', path: opts.out }], sources.map((source) => ({ option: '--source', path: source.path })));
      const started = performance.now();
      const inferred = await inferSettings(withSourceOptions(sources, opts), { mode: opts.mode });
      const settingsText = JSON.stringify(inferred.settings, null, 2) + '\n';
      if (opts.out !== undefined) await writeTextAtomically(opts.out, '--out', settingsText);
      const seconds = (performance.now() - started) / 1000;
      if (opts.json) {
        const summary = { command: 'init', ...(opts.out !== undefined ? { out: opts.out } : {}), settings: inferred.settings, sources: inferred.sources, seconds: { total: seconds } };
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      if (opts.out === undefined) {
        process.stderr.write(formatInference(inferred) + '\n');
        process.stdout.write(settingsText);
      } else process.stdout.write(`${formatInference(inferred)}\nsettings written to ${opts.out}\n`);
    });
}
