import type { Command } from 'commander';
import { Evaluation } from '../evaluate/evaluate.js';
import { EXIT } from './exit-codes.js';
import { readMemberships } from './read-memberships.js';
import { probability } from './options.js';
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
    .action(async (opts) => {
      const htmlReport = evaluateReport(opts);
      const evaluation = new Evaluation();
      await readMemberships(opts.truth, 'person_id', 'truth', (m) => {
        evaluation.addTruth(m);
        htmlReport?.truth.add(m);
      });
      await readMemberships(opts.groups, 'identity_id', 'groups', (m) => evaluation.addPredicted(m));
      const report = evaluation.report();
      await htmlReport?.write();
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
