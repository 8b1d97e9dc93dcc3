// The job for a cluster end to end, without a cluster: written in the DuckDB
// dialect, its statements run in embedded DuckDB as a data team runs them,
// cluster_labels and troubled_pairs exported, and the groups read back by
// `mpi sql groups` must be link()'s groups and ids with the same model.
import { join } from 'node:path';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModel, serializeModel } from '@mpi/scoring';
import { link, writeGroupsCsv, type Settings } from '../src/index.js';
import { groupsFromCluster, trainFromClusterCounts, writeSqlJob } from '../src/advanced.js';
import { febrlDir, febrlSettings, repoRoot, runMpi, tempDir, writeIn } from './helpers.js';
import { exportTable, runAndExport, runJobInDuckDb } from './run-sql-job.js';

const population = join(repoRoot, 'fixtures/population');
const cases = [
  {
    // Without the national id FEBRL3 has components holding a pair scored below the threshold: the split runs (and leaves them whole).
    name: 'FEBRL3 without national id',
    settings: febrlSettings('dedupe', false) as Settings,
    sources: [{ name: 'f3', path: join(febrlDir, 'dataset3.csv') }],
  },
  {
    // The split divides components here: without troubled_pairs the groups would differ from link()'s.
    name: 'the demo population (4 sources)',
    settings: JSON.parse(readFileSync(join(population, 'settings.json'), 'utf8')) as Settings,
    sources: ['clinic', 'ehr', 'lab', 'payer'].map((name) => ({ name, path: join(population, `${name}.csv`) })),
    splitDivides: true,
  },
];

describe.each(cases)('a job run on the cluster, read back by mpi sql groups, on $name', ({ settings, sources, splitDivides }) => {
  it("gives link()'s groups and identity ids with the same model", async () => {
    const dir = tempDir();
    const linked = await link({ settings, sources, threads: 1 });
    await writeGroupsCsv(linked, join(dir, 'in-process.csv'));
    writeFileSync(join(dir, 'model.json'), serializeModel(linked.model));
    await writeSqlJob({ settings, sources, model: linked.model, dialect: 'duckdb', dir: join(dir, 'job'), threads: 1 });

    const cluster = await runJobInDuckDb(join(dir, 'job'));
    let troubled: number;
    try {
      await exportTable(cluster.connection, 'cluster_labels', join(dir, 'labels.parquet'));
      await exportTable(cluster.connection, 'troubled_pairs', join(dir, 'troubled.csv'));
      troubled = Number((await cluster.connection.runAndReadAll('SELECT count(*) FROM troubled_pairs')).getRows()[0][0]);
    } finally {
      cluster.close();
    }
    const args = ['sql', 'groups', '--job', join(dir, 'job'), '--labels', join(dir, 'labels.parquet'), '--troubled-pairs', join(dir, 'troubled.csv')];
    const run = await runMpi([...args, '--out', join(dir, 'cluster.csv'), '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ records: linked.table.size, groups: linked.clustering.groupCount, troubledPairs: troubled });
    expect(readFileSync(join(dir, 'cluster.csv'), 'utf8')).toBe(readFileSync(join(dir, 'in-process.csv'), 'utf8'));
    expect(troubled).toBeGreaterThan(0);
    if (splitDivides) {
      const unsplit = await groupsFromCluster({ job: join(dir, 'job'), labels: [join(dir, 'labels.parquet')], troubledPairs: [writeIn(dir, 'none.csv', 'left_row,right_row,match_weight\n')] });
      expect(unsplit.identityIds).not.toEqual(linked.identityIds);
    }
  });
});

describe('mpi sql groups on a bad export', () => {
  it('names the file, row and column of a row labelled twice, a row of no record and a repeated pair, and writes nothing', async () => {
    const dir = tempDir();
    const { settings, sources } = cases[0];
    const linked = await link({ settings, sources, threads: 1 });
    await writeSqlJob({ settings, sources, model: linked.model, dialect: 'duckdb', dir: join(dir, 'job'), threads: 1 });
    const size = linked.table.size;
    const files = {
      twice: writeIn(dir, 'twice.csv', 'row,label\n0,0\n1,0\n1,0\n'),
      unknown: writeIn(dir, 'unknown.csv', `row,label\n0,0\n${size},0\n`),
      good: writeIn(dir, 'good.csv', 'row,label\n0,0\n1,0\n2,0\n'),
      pairsTwice: writeIn(dir, 'pairs.csv', 'left_row,right_row,match_weight,label\n0,1,3.5,0\n1,2,-2.5,0\n1,0,3.5,0\n'),
    };
    const groups = (labels: string, troubled = files.pairsTwice) => groupsFromCluster({ job: join(dir, 'job'), labels: [labels], troubledPairs: [troubled] });
    await expect(groups(files.twice)).rejects.toMatchObject({ code: 'BAD_CLUSTER_EXPORT', file: files.twice, row: 3, column: 'row' });
    await expect(groups(files.unknown)).rejects.toMatchObject({ code: 'BAD_CLUSTER_EXPORT', file: files.unknown, row: 2, column: 'row' });
    await expect(groups(files.good)).rejects.toMatchObject({ code: 'BAD_CLUSTER_EXPORT', file: files.pairsTwice, row: 3 });
    // A job written with a model has nothing to train on.
    await expect(trainFromClusterCounts({ job: join(dir, 'job'), counts: [files.good] })).rejects.toMatchObject({ code: 'BAD_JOB' });

    const run = await runMpi(['sql', 'groups', '--job', join(dir, 'job'), '--labels', files.twice, '--troubled-pairs', files.pairsTwice, '--out', join(dir, 'g.csv')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cluster export ${files.twice}, row 3, column "row"`);
    expect(() => readFileSync(join(dir, 'g.csv'))).toThrow();
  });

  it('makes every record the labels do not name a group of its own', async () => {
    const dir = tempDir();
    const { settings, sources } = cases[0];
    const linked = await link({ settings, sources, threads: 1 });
    await writeSqlJob({ settings, sources, model: linked.model, dialect: 'duckdb', dir: join(dir, 'job'), threads: 1 });
    const labels = writeIn(dir, 'labels.csv', 'row,label\n5,3\n3,3\n');
    const pairs = writeIn(dir, 'pairs.csv', 'left_row,right_row,match_weight\n');
    const groups = await groupsFromCluster({ job: join(dir, 'job'), labels: [labels], troubledPairs: [pairs] });
    expect(groups.clustering.groupCount).toBe(linked.table.size - 1);
    expect(groups.clustering.groupOf[5]).toBe(groups.clustering.groupOf[3]);
    expect(groups.identityIds.length).toBe(groups.clustering.groupCount);
  });
});

const trainingCases = [
  { name: 'FEBRL3', settings: febrlSettings('dedupe') as Settings, sources: [{ name: 'f3', path: join(febrlDir, 'dataset3.csv') }] },
  // Default comparisons with the household evidence group: the household share is counted on the cluster.
  { name: 'the demo population (4 sources)', settings: cases[1].settings, sources: cases[1].sources },
];

describe.each(trainingCases)('a job without a model, trained by mpi sql train on the counts the cluster exported, on $name', ({ settings, sources }) => {
  it("gives link()'s model (m, u and prior within 1e-9), whose linkage job then gives link()'s groups", async () => {
    const dir = tempDir();
    const linked = await link({ settings, sources, threads: 1 });
    await writeGroupsCsv(linked, join(dir, 'in-process.csv'));
    const written = await writeSqlJob({ settings, sources, dialect: 'duckdb', dir: join(dir, 'train-job'), threads: 1 });
    expect(written.files).toContain('training.json');
    // The pairs are counted in the comparison join: no table of every pair's comparison vector.
    expect(readFileSync(join(dir, 'train-job', 'job.sql'), 'utf8')).not.toContain('comparison_vectors');

    await runAndExport(join(dir, 'train-job'), { training_counts: join(dir, 'counts.parquet') });
    const run = await runMpi(['sql', 'train', '--job', join(dir, 'train-job'), '--counts', join(dir, 'counts.parquet'), '--model-out', join(dir, 'model.json')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const model = parseModel(readFileSync(join(dir, 'model.json'), 'utf8'));
    const largest = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, c) => row.map((value, l) => Math.abs(value - b[c][l]))));
    expect(model.comparisons).toEqual(linked.model.comparisons);
    expect(largest(model.u, linked.model.u)).toBe(0);
    expect(largest(model.m, linked.model.m)).toBeLessThan(1e-9);
    expect(Math.abs(model.prior - linked.model.prior) / linked.model.prior).toBeLessThan(1e-9);
    // The household evidence's u without the matches (from EM's m and prior), and the interaction terms, alike.
    const alone = (u: (number[] | null)[] | undefined) => (u ?? []).map((row) => row ?? []);
    expect(alone(model.householdAloneU).map((row) => row.length)).toEqual(alone(linked.model.householdAloneU).map((row) => row.length));
    if (linked.model.householdAloneU !== undefined) expect(largest(alone(model.householdAloneU), alone(linked.model.householdAloneU))).toBeLessThan(1e-9);
    const cells = (m: typeof model) => (m.interactions ?? []).map(({ comparisons, levels, disagreeing }) => ({ comparisons, levels, disagreeing }));
    expect(cells(model)).toEqual(cells(linked.model));
    (model.interactions ?? []).forEach((term, i) => expect(Math.abs(term.weight - linked.model.interactions![i].weight)).toBeLessThan(1e-9));

    // The trained model's linkage job, run and read back.
    await writeSqlJob({ settings, sources, model, dialect: 'duckdb', dir: join(dir, 'job'), threads: 1 });
    await runAndExport(join(dir, 'job'), { cluster_labels: join(dir, 'labels.parquet'), troubled_pairs: join(dir, 'troubled.parquet') });
    const groups = await groupsFromCluster({ job: join(dir, 'job'), labels: [join(dir, 'labels.parquet')], troubledPairs: [join(dir, 'troubled.parquet')] });
    expect(Array.from(groups.clustering.groupOf)).toEqual(Array.from(linked.clustering.groupOf));
    expect(groups.identityIds).toEqual(linked.identityIds);
  });
});

describe('mpi sql train on a bad export', () => {
  it('names the file and row of a counts row given twice and of a session the job has not, and writes no model', async () => {
    const dir = tempDir();
    const { settings, sources } = trainingCases[0];
    await writeSqlJob({ settings, sources, dialect: 'duckdb', dir: join(dir, 'job'), threads: 1 });
    await runAndExport(join(dir, 'job'), { training_counts: join(dir, 'counts.csv') });
    const [header, ...rows] = readFileSync(join(dir, 'counts.csv'), 'utf8').trimEnd().split('\n');
    const twice = writeIn(dir, 'twice.csv', [header, ...rows, rows[0]].join('\n') + '\n');
    await expect(trainFromClusterCounts({ job: join(dir, 'job'), counts: [twice] })).rejects.toMatchObject({ code: 'BAD_CLUSTER_EXPORT', file: twice, row: rows.length + 1 });
    const session = writeIn(dir, 'session.csv', [header, rows[0].replace(/^-?\d+,/, '99,')].join('\n') + '\n');
    await expect(trainFromClusterCounts({ job: join(dir, 'job'), counts: [session] })).rejects.toMatchObject({ code: 'BAD_CLUSTER_EXPORT', file: session, row: 1, column: 'session' });
    const run = await runMpi(['sql', 'train', '--job', join(dir, 'job'), '--counts', twice, '--model-out', join(dir, 'model.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cluster export ${twice}, row ${rows.length + 1}`);
    expect(existsSync(join(dir, 'model.json'))).toBe(false);
  });
});

describe('mpi sql groups on an export in parts', () => {
  it('reads a folder of part files in any row order as the whole table', async () => {
    const dir = tempDir();
    const { settings, sources } = cases[0];
    const linked = await link({ settings, sources, threads: 1 });
    await writeSqlJob({ settings, sources, model: linked.model, dialect: 'duckdb', dir: join(dir, 'job'), threads: 1 });
    await runAndExport(join(dir, 'job'), { cluster_labels: join(dir, 'labels.csv'), troubled_pairs: join(dir, 'troubled.csv') });
    // Spark writes a table as a folder of part files: the rows split in two, each part reversed.
    for (const table of ['labels', 'troubled']) {
      const [header, ...rows] = readFileSync(join(dir, `${table}.csv`), 'utf8').trimEnd().split('\n');
      const half = rows.length >> 1;
      mkdirSync(join(dir, table));
      writeIn(join(dir, table), 'part-00000.csv', [header, ...rows.slice(half).reverse()].join('\n') + '\n');
      writeIn(join(dir, table), 'part-00001.csv', [header, ...rows.slice(0, half).reverse()].join('\n') + '\n');
    }
    const groups = await groupsFromCluster({ job: join(dir, 'job'), labels: [join(dir, 'labels')], troubledPairs: [join(dir, 'troubled')] });
    expect(groups.troubledPairs).toBeGreaterThan(0);
    expect(Array.from(groups.clustering.groupOf)).toEqual(Array.from(linked.clustering.groupOf));
    expect(groups.identityIds).toEqual(linked.identityIds);
  });
});
