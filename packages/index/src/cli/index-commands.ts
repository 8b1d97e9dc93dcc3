// `mpi index create|add|remove|groups|review|decide|refine|refresh|history`: thin commands over the index API.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MpiError, parseModel, type SourceInput } from '@mpi/core';
import { addSourceOptions, checkOutputPaths, loadSettings, readJson, positiveInt, probability, sourceArg, withSourceOptions, type NamedSource, type SourceOptions } from '@mpi/core/cli';
import { sourceFieldPlan } from '@mpi/core/advanced';
import { buildIndex, openIndex } from '../identity-index.js';
import type { Decision, IdentityIndex, RecordRef } from '../index.js';
import { readCsvObjects, writeCsv } from './csv-files.js';
import { formatChange, printSummary } from './summary.js';

interface CommonOptions {
  index: string;
  json?: boolean;
  threads?: number;
}

const sourcesOf = (opts: { source: NamedSource[] } & SourceOptions): SourceInput[] => withSourceOptions(opts.source, opts);

/** Opens the index, runs `work`, and closes it whatever happens. */
async function withIndex<T>(opts: CommonOptions, work: (index: IdentityIndex) => Promise<T> | T): Promise<T> {
  const index = openIndex(opts.index, { threads: opts.threads });
  try {
    return await work(index);
  } finally {
    index.close();
  }
}

/** Refuses an output that is the index or one of the inputs. */
function checkOut(out: string, inputs: { option: string; path: string }[]): void {
  checkOutputPaths([{ option: '--out', path: out }], inputs);
}

/** The record ids a removal file lists: its source's record id column, else `record_id`. */
async function removalRefs(index: IdentityIndex, sources: readonly NamedSource[]): Promise<RecordRef[]> {
  const refs: RecordRef[] = [];
  for (const source of sources) {
    const column = sourceFieldPlan(index.settings, source.name).recordId;
    const rows = await readCsvObjects(source.path, `record ids of source "${source.name}"`, []);
    const name = column in rows[0]! ? column : 'record_id';
    if (!(name in rows[0]!)) throw new MpiError('MISSING_COLUMN', `the record ids of source "${source.name}" need a column ${column} or record_id`);
    for (const row of rows) refs.push({ source: source.name, recordId: row[name]! });
  }
  return refs;
}

/** --refresh-growth: a number above 1. */
function growthFactor(value: string): number {
  const factor = Number(value);
  if (value.trim() === '' || !Number.isFinite(factor) || factor <= 1) throw new InvalidArgumentError('expected a number above 1');
  return factor;
}

/** Adds `mpi index` and its subcommands to the program. */
export function addIndexCommands(program: Command): void {
  const index = program.command('index').description('a persistent identity index: build, add, remove, review, decide, refine, refresh, history');

  addSourceOptions(index.command('create').description('build an index from sources (the same groups and ids as `mpi link`)'))
    .requiredOption('--index <file>', 'index file to create (must not exist)')
    .requiredOption('--settings <file>', 'settings JSON')
    .option('--threads <n>', 'most worker threads', positiveInt)
    .option('--model <file>', 'a trained model (model JSON, as `mpi link --model-out` writes) instead of training one')
    .option('--review-threshold <p>', 'match probability from which pairs below the link threshold go to review (default 0.1)', probability)
    .addOption(
      new Option('--model-refresh <policy>', 'auto: an add of a new source, or one growing the index to --refresh-growth times the records the model was trained on, trains the model again; manual: only `mpi index refresh` does (default auto; manual with --model)').choices(['auto', 'manual']),
    )
    .option('--refresh-growth <factor>', 'growth factor (above 1) from which an add refreshes the model under auto (default 1.5)', growthFactor)
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      const settings = await loadSettings(opts.settings);
      const model = opts.model ? parseModel(JSON.stringify(await readJson(opts.model, 'model'))) : undefined;
      const { index: built, summary } = await buildIndex(opts.index, {
        settings,
        sources: sourcesOf(opts),
        threads: opts.threads,
        reviewThreshold: opts.reviewThreshold,
        model,
        modelRefresh: opts.modelRefresh,
        refreshGrowth: opts.refreshGrowth,
      });
      built.close();
      printSummary(Boolean(opts.json), summary, formatChange(summary));
    });

  addSourceOptions(index.command('add').description('add records (a known source and record id updates the record); one transaction'))
    .requiredOption('--index <file>', 'index file')
    .option('--threads <n>', 'most worker threads', positiveInt)
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      const summary = await withIndex(opts, (open) => open.add(sourcesOf(opts)));
      printSummary(Boolean(opts.json), summary, formatChange(summary));
    });

  index
    .command('remove')
    .description('remove records; FILE lists record ids (column record_id, or the source\'s record id column)')
    .requiredOption('--index <file>', 'index file')
    .requiredOption('--source <NAME=FILE>', 'record ids of a source; repeat for several', sourceArg)
    .option('--threads <n>', 'most worker threads', positiveInt)
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      const summary = await withIndex(opts, async (open) => open.remove(await removalRefs(open, opts.source)));
      printSummary(Boolean(opts.json), summary, formatChange(summary));
    });

  index
    .command('groups')
    .description('write the identity groups: source,record_id,identity_id, one row per record')
    .requiredOption('--index <file>', 'index file')
    .requiredOption('--out <file>', 'groups CSV to write')
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      checkOut(opts.out, [{ option: '--index', path: opts.index }]);
      const started = performance.now();
      const groups = await withIndex(opts, (open) => open.groups());
      await writeCsv(opts.out, '--out', ['source', 'record_id', 'identity_id'], groups.flatMap((g) => g.records.map((r) => [r.source, r.recordId, g.id])));
      const records = groups.reduce((n, g) => n + g.records.length, 0);
      const seconds = (performance.now() - started) / 1000;
      printSummary(Boolean(opts.json), { records, identities: groups.length, seconds }, `records ${records}, identities ${groups.length}`);
    });

  index
    .command('review')
    .description('write the pairs in the review band, most probable first')
    .requiredOption('--index <file>', 'index file')
    .requiredOption('--out <file>', 'review CSV to write')
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      checkOut(opts.out, [{ option: '--index', path: opts.index }]);
      const started = performance.now();
      const pairs = await withIndex(opts, (open) => open.review());
      await writeCsv(
        opts.out,
        '--out',
        ['source_l', 'record_id_l', 'source_r', 'record_id_r', 'match_weight', 'match_probability'],
        pairs.map((p) => [p.left.source, p.left.recordId, p.right.source, p.right.recordId, String(p.matchWeight), String(p.matchProbability)]),
      );
      printSummary(Boolean(opts.json), { pairs: pairs.length, seconds: (performance.now() - started) / 1000 }, `review pairs ${pairs.length}`);
    });

  index
    .command('decide')
    .description('store reviewers\' decisions (match / non-match), honoured from now on')
    .requiredOption('--index <file>', 'index file')
    .requiredOption('--decisions <file>', 'CSV: source_l,record_id_l,source_r,record_id_r,decision')
    .option('--threads <n>', 'most worker threads', positiveInt)
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      const rows = await readCsvObjects(opts.decisions, 'decisions', ['source_l', 'record_id_l', 'source_r', 'record_id_r', 'decision']);
      const decisions: Decision[] = rows.map((row, i) => {
        if (row.decision !== 'match' && row.decision !== 'non-match') throw new MpiError('BAD_DECISION', `the decisions file's decision at data row ${i + 1} is neither match nor non-match`);
        return { left: { source: row.source_l!, recordId: row.record_id_l! }, right: { source: row.source_r!, recordId: row.record_id_r! }, decision: row.decision };
      });
      const summary = await withIndex(opts, (open) => open.decide(decisions));
      printSummary(Boolean(opts.json), summary, formatChange(summary));
    });

  index
    .command('refine')
    .description('re-estimate m from the stored "match" decisions (u stays), store the new model version and score everything with it')
    .requiredOption('--index <file>', 'index file')
    .option('--threads <n>', 'most worker threads', positiveInt)
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      const summary = await withIndex(opts, (open) => open.refineModel());
      printSummary(Boolean(opts.json), summary, `model version ${summary.model.version} from ${summary.model.labelledPairs} labelled pairs; ${formatChange(summary)}`);
    });

  index
    .command('refresh')
    .description('train the model again over every indexed record (as `mpi link` trains), score and cluster everything with it; ids follow the usual rules')
    .requiredOption('--index <file>', 'index file')
    .option('--threads <n>', 'most worker threads', positiveInt)
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      const summary = await withIndex(opts, (open) => open.refreshModel());
      printSummary(Boolean(opts.json), summary, formatChange(summary));
    });

  index
    .command('history')
    .description('write the event log (of one identity, with the identities merged into it, when --identity is given)')
    .requiredOption('--index <file>', 'index file')
    .option('--identity <id>', 'an identity id (an alias of a merged identity works too)')
    .requiredOption('--out <file>', 'events CSV to write')
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      checkOut(opts.out, [{ option: '--index', path: opts.index }]);
      const started = performance.now();
      const events = await withIndex(opts, (open) => open.history(opts.identity));
      await writeCsv(
        opts.out,
        '--out',
        ['seq', 'batch', 'time', 'kind', 'records', 'identity_ids_before', 'identity_ids_after', 'evidence'],
        events.map((e) => [
          String(e.seq),
          String(e.batch),
          e.time,
          e.kind,
          e.records.map((r) => `${r.source}:${r.recordId}`).join(' '),
          e.before.join(' '),
          e.after.join(' '),
          JSON.stringify(e.evidence),
        ]),
      );
      printSummary(Boolean(opts.json), { events: events.length, seconds: (performance.now() - started) / 1000 }, `events ${events.length}`);
    });
}
