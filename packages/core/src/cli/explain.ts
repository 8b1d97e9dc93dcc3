import type { Command } from 'commander';
import { parseModel } from '@mpi/scoring';
import { MpiError } from '../errors.js';
import { explainRows } from '../pipeline/explain.js';
import { buildRecordTable } from '../read/record-table.js';
import { loadSettings, readJson } from './input-files.js';
import { addSourceOptions, withSourceOptions } from './options.js';

/** Adds the `explain` command to the program. */
export function addExplainCommand(program: Command): void {
  addSourceOptions(program.command('explain').description('explain the match weight of two records under a trained model'))
    .requiredOption('--model <file>', 'trained model JSON (from link --model-out)')
    .requiredOption('--settings <file>', 'settings JSON')
    .requiredOption('--record <SOURCE:ID>', 'a record; give exactly two', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print JSON')
    .action(async (opts) => {
      if (opts.record.length !== 2) throw new MpiError('BAD_ARGS', 'give --record exactly twice');
      const model = parseModel(JSON.stringify(await readJson(opts.model, 'model')));
      const table = await buildRecordTable(withSourceOptions(opts.source, opts), await loadSettings(opts.settings));
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
      // Interaction terms: both of two comparisons exact, a cell different people share beyond independence (twins).
      for (const term of explanation.interactions) {
        lines.push(`${term.comparisons.join(' & ').padEnd(57)} ${term.weight.toFixed(3).padStart(8)} (interaction)`);
      }
      lines.push(`match weight ${explanation.matchWeight.toFixed(3)}, match probability ${explanation.matchProbability.toPrecision(6)}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
