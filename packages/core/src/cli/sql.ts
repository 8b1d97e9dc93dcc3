import type { Command } from 'commander';
import { groupsFromCluster } from '../pipeline/cluster-exports.js';
import { serializeModel } from '@mpi/scoring';
import { writeGroupsCsv } from '../output/write-results.js';
import { writeTextAtomically } from '../output/atomic-file.js';
import { trainFromClusterCounts } from '../pipeline/train-cluster.js';

const many = (value: string, previous: string[] = []) => [...previous, value];

/**
 * Adds `mpi sql`: the steps of a job written by `mpi link --engine sql` that
 * come after the cluster ran it (docs/sql-engine.md, "On a Spark cluster, step by step").
 */
export function addSqlCommand(program: Command): void {
  const sql = program.command('sql').description('read back what a cluster computed from a job written by link --engine sql');
  sql
    .command('groups')
    .description('the groups file from the cluster_labels and troubled_pairs the cluster exported (the average-linkage split runs here)')
    .requiredOption('--job <dir>', 'the folder link --engine sql wrote (plan.json, record_ids.parquet)')
    .requiredOption('--labels <file>', 'cluster_labels as exported: Parquet or CSV with a header, or a folder of part files; repeat for more files', many)
    .option('--troubled-pairs <file>', 'troubled_pairs as exported (required unless the settings cluster by connected components); repeat for more files', many)
    .requiredOption('--out <file>', 'the groups CSV: source,record_id,identity_id')
    .option('--spreadsheet-safe', 'for files opened in a spreadsheet: prefix ids starting with = + - @, tab or CR with a single quote')
    .option('--json', 'print the summary as JSON')
    .action(async (opts) => {
      const groups = await groupsFromCluster({ job: opts.job, labels: opts.labels, troubledPairs: opts.troubledPairs });
      await writeGroupsCsv(groups, opts.out, { spreadsheetSafe: Boolean(opts.spreadsheetSafe), label: '--out' });
      const summary = { command: 'sql groups', records: groups.table.size, groups: groups.clustering.groupCount, labelledRecords: groups.labelled, troubledPairs: groups.troubledPairs };
      process.stdout.write(
        opts.json
          ? JSON.stringify(summary, null, 2) + '\n'
          : `${summary.records} records, ${summary.groups} identity groups (${summary.labelledRecords} records linked; ${summary.troubledPairs} pairs in the components split by average linkage)\n`,
      );
    });
  sql
    .command('train')
    .description('the model from the training_counts the cluster exported, for a job written by link --engine sql without --model')
    .requiredOption('--job <dir>', 'the folder link --engine sql wrote without --model (plan.json, training.json)')
    .requiredOption('--counts <file>', 'training_counts as exported: Parquet or CSV with a header, or a folder of part files; repeat for more files', many)
    .requiredOption('--model-out <file>', 'the trained model JSON (give it to link --engine sql --model for the linkage job)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts) => {
      const model = await trainFromClusterCounts({ job: opts.job, counts: opts.counts });
      await writeTextAtomically(opts.modelOut, '--model-out', serializeModel(model));
      const summary = { command: 'sql train', comparisons: model.comparisons.length, prior: model.prior, modelOut: opts.modelOut };
      process.stdout.write(opts.json ? JSON.stringify(summary, null, 2) + '\n' : `trained ${summary.comparisons} comparisons (prior ${summary.prior.toPrecision(4)}) into ${opts.modelOut}\n`);
    });
}
