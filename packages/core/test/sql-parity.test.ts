// The SQL engine against the in-process engine: the same model (trained
// in-process, saved and parsed back) applied by DuckDB must give the same
// candidate pairs and the same identity groups and ids as link().
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseModel, serializeModel } from '@mpi/scoring';
import { DuckDbExecutor } from '@mpi/sql';
import { link } from '../src/index.js';
import { linkInDuckDb, planFor } from '../src/advanced.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll } from 'vitest';
import type { Settings } from '../src/index.js';
import { febrlDir, febrlSettings, repoRoot } from './helpers.js';

type Case = {
  name: string;
  settings: Settings;
  sources: { name: string; path: string }[];
  split?: boolean;
  multiValued?: boolean;
  interactions?: boolean;
  householdAlone?: boolean;
};

const population = join(repoRoot, 'fixtures/population');

const cases: Case[] = [
  { name: 'FEBRL3 (dedupe)', settings: febrlSettings('dedupe'), sources: [{ name: 'f3', path: join(febrlDir, 'dataset3.csv') }] },
  {
    // Without the national id FEBRL3 has components holding a pair scored below the threshold: the average-linkage split runs.
    name: 'FEBRL3 without national id',
    settings: febrlSettings('dedupe', false),
    sources: [{ name: 'f3', path: join(febrlDir, 'dataset3.csv') }],
    split: true,
  },
  {
    // Explicit rules: a sorted neighbourhood (ranked in SQL by key and row) and an unordered key.
    name: 'FEBRL3 with a sorted-neighbourhood rule',
    settings: {
      ...febrlSettings('dedupe', false),
      blockingRules: [
        { kind: 'sortedNeighbourhood', keys: [{ column: 'family_name' }, { column: 'given_name', transform: 'prefix:2' }], window: 4 },
        { kind: 'key', keys: [{ column: 'given_name', transform: 'doubleMetaphone' }, { column: 'family_name', transform: 'doubleMetaphone' }], unordered: true },
        { kind: 'sortedNeighbourhood', keys: [{ column: 'birth_date' }], window: 3 },
      ],
    },
    sources: [{ name: 'f3', path: join(febrlDir, 'dataset3.csv') }],
  },
  {
    name: 'FEBRL4 (link)',
    settings: febrlSettings('link'),
    sources: [
      { name: 'a', path: join(febrlDir, 'dataset4a.csv') },
      { name: 'b', path: join(febrlDir, 'dataset4b.csv') },
    ],
  },
  {
    // The demo population: 4 sources, sex (the demographic veto), the household evidence group, term frequencies.
    name: 'the generated demo population (4 sources)',
    settings: JSON.parse(readFileSync(join(population, 'settings.json'), 'utf8')) as Settings,
    sources: ['clinic', 'ehr', 'lab', 'payer'].map((name) => ({ name, path: join(population, `${name}.csv`) })),
    interactions: true,
  },
];

/** A generated population with home and mailing addresses, home and cell phones (multi-valued comparisons). */
const generated = mkdtempSync(join(tmpdir(), 'mpi-sql-parity-'));
afterAll(() => rmSync(generated, { recursive: true, force: true }));
execFileSync(process.execPath, [join(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', '1500', '--sources', '3', '--seed', '7', '--regime', 'multi-valued', '--out', generated]);
cases.push({
  name: 'a generated multi-valued population',
  settings: JSON.parse(readFileSync(join(generated, 'settings.json'), 'utf8')) as Settings,
  sources: ['ehr', 'lab', 'payer'].map((name) => ({ name, path: join(generated, `${name}.csv`) })),
  multiValued: true,
});

/** A generated population where 30% of names (with birth date 1900-01-01) are placeholders: pairs with household evidence alone. */
const placeholders = join(generated, 'placeholders-30');
execFileSync(process.execPath, [join(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', '800', '--sources', '3', '--seed', '7', '--regime', 'placeholders-30', '--out', placeholders]);
cases.push({
  name: 'a generated population with placeholder names',
  settings: JSON.parse(readFileSync(join(placeholders, 'settings.json'), 'utf8')) as Settings,
  sources: ['ehr', 'lab', 'payer'].map((name) => ({ name, path: join(placeholders, `${name}.csv`) })),
  householdAlone: true,
});

/** Candidate pairs as sorted "left,right" keys. */
function pairKeys(chunks: readonly { left: Uint32Array; right: Uint32Array }[]): string[] {
  return chunks.flatMap((chunk) => Array.from(chunk.left, (l, k) => `${l},${chunk.right[k]}`)).sort();
}

describe.each(cases)('DuckDB with the in-process model on $name', ({ settings, sources, split, multiValued, interactions, householdAlone }) => {
  it('makes the same candidate pairs with the same match weights, and the same identity groups and ids', async () => {
    const inProcess = await link({ settings, sources, threads: 1 });
    const model = parseModel(serializeModel(inProcess.model));

    // The comparison join in blocks of a third of the records (six joins of two blocks each), as a large input runs it.
    const blockRecords = Math.ceil(inProcess.table.size / 3);
    // The candidate pairs made in blocks of left rows, each planned to hold a fifth of the pairs (several blocks, as a large input runs it).
    const blockRulePairs = Math.max(1, Math.ceil(inProcess.pairs.count / 5));
    const steps: string[] = [];
    // The pairs and weights of the streamed read, as the pairs file reads them.
    const streamed: { left: number[]; right: number[]; weight: number[] } = { left: [], right: [], weight: [] };
    const events: { stage: string; done: number; total: number }[] = [];
    const sql = await linkInDuckDb({
      settings,
      sources,
      model,
      onProgress: (event) => events.push(event),
      duckdb: { threads: 1, blockRecords, blockRulePairs, onStatement: (profile) => steps.push(profile.step) },
      withScoredPairs: async (pairs) => {
        for await (const batch of pairs(-Infinity)) {
          streamed.left.push(...batch.left);
          streamed.right.push(...batch.right);
          streamed.weight.push(...batch.weight);
        }
      },
    });
    expect(new Set(steps.filter((step) => step.startsWith('pairs of rule 0, left rows'))).size).toBeGreaterThan(1);
    // Progress: the candidate pairs block by block up to every record, then the six blocks of the comparison join.
    const blockDone = events.filter((e) => e.stage === 'block').map((e) => e.done);
    expect(blockDone.length).toBeGreaterThan(1);
    expect(blockDone).toEqual([...blockDone].sort((a, b) => a - b));
    expect(blockDone.at(-1)).toBe(inProcess.table.size);
    expect(events.filter((e) => e.stage === 'compare').map((e) => `${e.done}/${e.total}`)).toEqual(['1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
    expect(sql.run.pairCount).toBe(inProcess.pairs.count);
    expect(sql.run.countsByRule).toEqual(inProcess.pairs.countsByRule);
    expect(sql.clustering.groupCount).toBe(inProcess.clustering.groupCount);
    expect(Array.from(sql.clustering.groupOf)).toEqual(Array.from(inProcess.clustering.groupOf));
    expect(sql.identityIds).toEqual(inProcess.identityIds);
    if (split) expect(sql.troubledPairs).toBeGreaterThan(0);
    if (multiValued) expect(sql.plan.comparisons.some((c) => c.valueColumns.length > 1 && c.tfColumns !== undefined)).toBe(true);
    if (interactions) expect(sql.plan.interactions.length).toBeGreaterThan(0);
    if (householdAlone) {
      expect(sql.plan.identifying.length).toBeGreaterThan(0);
      expect(sql.plan.comparisons.some((c) => c.levels.some((level) => level.householdAloneWeight !== undefined))).toBe(true);
    }

    const weightOf = new Map<string, number>();
    inProcess.pairs.chunks.forEach((chunk, c) => chunk.left.forEach((l, k) => weightOf.set(`${l},${chunk.right[k]}`, inProcess.weights[c][k])));
    expect(pairKeys([{ left: Uint32Array.from(streamed.left), right: Uint32Array.from(streamed.right) }])).toEqual(pairKeys(inProcess.pairs.chunks));
    expect(Math.max(...streamed.left.map((l, k) => Math.abs(streamed.weight[k] - weightOf.get(`${l},${streamed.right[k]}`)!)))).toBeLessThan(1e-9);

    // The same from the record table loaded whole (planFor and loadRecords, what a cluster job is written from).
    const { table, plan, tf } = await planFor({ settings, sources, model });
    const executor = await DuckDbExecutor.open({ threads: 1, blockRecords });
    try {
      await executor.loadRecords(table, plan, tf);
      await executor.run(plan);
      const scored = await executor.pairs('scored_pairs');
      expect(pairKeys([scored])).toEqual(pairKeys(inProcess.pairs.chunks));
      let largest = 0;
      scored.left.forEach((l, k) => (largest = Math.max(largest, Math.abs(scored.weight[k] - weightOf.get(`${l},${scored.right[k]}`)!))));
      expect(largest).toBeLessThan(1e-9);
    } finally {
      executor.close();
    }
  });
});

describe('DuckDB groups whatever the thread count or input order', () => {
  it('gives the same groups and ids with 1 and 2 DuckDB threads and with the input rows reversed', async () => {
    const settings = febrlSettings('dedupe', false);
    const path = join(febrlDir, 'dataset3.csv');
    const { model } = await link({ settings, sources: [{ name: 'f3', path }], threads: 1 });
    const [header, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
    const reversed = join(generated, 'dataset3-reversed.csv');
    writeFileSync(reversed, [header, ...rows.reverse()].join('\n') + '\n');
    const groups = async (file: string, threads: number) => {
      const result = await linkInDuckDb({ settings, sources: [{ name: 'f3', path: file }], model, duckdb: { threads } });
      // Record id -> identity id: the rows' order follows the record ids, not the file.
      return new Map(result.table.recordIds.map((id, r) => [id, result.identityIds[result.clustering.groupOf[r]]]));
    };
    const one = await groups(path, 1);
    expect(await groups(path, 2)).toEqual(one);
    expect(await groups(reversed, 2)).toEqual(one);
  });
});

describe('DuckDB trains the model on the counts SQL returns', () => {
  it.each(cases.filter((c) => c.name.startsWith('FEBRL3 (') || c.name.startsWith('the generated demo')))(
    'to the in-process model and the same groups and ids on $name, reading back counts, not pairs',
    async ({ settings, sources }) => {
      const inProcess = await link({ settings, sources, threads: 1 });
      const readTable = vi.spyOn(DuckDbExecutor.prototype, 'readTable');
      const readPairs = vi.spyOn(DuckDbExecutor.prototype, 'pairs');
      const steps: string[] = [];
      // Pairs counted in blocks of a quarter of the records (ten joins).
      const sql = await linkInDuckDb({ settings, sources, duckdb: { threads: 1, blockRecords: Math.ceil(inProcess.table.size / 4), onStatement: (profile) => steps.push(profile.step) } });
      // Training reads the training counts, fewer rows than pairs, and no pair: only the troubled pairs of the split are read back.
      expect(readTable.mock.calls.map(([table]) => table)).toEqual(['training_counts']);
      const countRows = (await readTable.mock.results[0].value).rows;
      expect(countRows).toBeGreaterThan(0);
      expect(countRows).toBeLessThan(sql.run.pairCount);
      expect(readPairs.mock.calls.map(([table]) => table)).toEqual(['troubled_pairs']);
      readTable.mockRestore();
      readPairs.mockRestore();
      // No comparison vectors are made: the pairs are counted in the comparison join, then scored in it once.
      expect(steps.filter((step) => step.startsWith('comparison vectors'))).toEqual([]);
      expect(steps.filter((step) => step.startsWith('pair counts'))).toHaveLength(10);
      expect(steps.filter((step) => step.startsWith('match weights (prior'))).toHaveLength(10);
      expect(steps.filter((step) => step.startsWith('candidate pairs'))).toHaveLength(1);
      const largest = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, c) => row.map((value, l) => Math.abs(value - b[c][l]))));
      expect(largest(sql.model.m, inProcess.model.m)).toBeLessThan(1e-9);
      expect(largest(sql.model.u, inProcess.model.u)).toBe(0);
      // u without the matches for household evidence alone: from the same u, m and prior.
      const rows = (model: typeof sql.model) => (model.householdAloneU ?? []).map((row, c) => row ?? model.u[c]);
      expect(largest(rows(sql.model), rows(inProcess.model))).toBeLessThan(1e-9);
      expect(Math.abs(sql.model.prior - inProcess.model.prior) / inProcess.model.prior).toBeLessThan(1e-9);
      expect(sql.model.comparisons).toEqual(inProcess.model.comparisons);
      expect(Array.from(sql.clustering.groupOf)).toEqual(Array.from(inProcess.clustering.groupOf));
      expect(sql.identityIds).toEqual(inProcess.identityIds);
    },
    // Two links, one of them sampling DuckDB's memory every 100 ms: 44 to 64 s each on the shared 2-core machine.
    180_000,
  );
});
