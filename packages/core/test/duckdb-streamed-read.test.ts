// The streamed read of the DuckDB engine (docs/sql-engine.md, "Reading,
// streamed"): with a model given, the sources go into DuckDB part by part and
// our process never builds the record table; what the in-process read decides
// on the whole table (duplicate ids, flags, placeholders, column warnings, the
// rules) comes out the same, whatever the parts the files are cut into.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parseModel, serializeModel, type FellegiSunterModel } from '@mpi/scoring';
import { link, type Settings } from '../src/index.js';
import { linkInDuckDb } from '../src/advanced.js';
import { countRulePairs, type BlockingRule } from '@mpi/blocking';
import { DuckDbExecutor } from '@mpi/sql';
import { buildRecordTable } from '../src/read/record-table.js';
import { broadBlockingRules, defaultBlockingRules, tighterBlockingRule } from '../src/defaults/field-kinds.js';
import { markPlaceholdersInSql } from '../src/pipeline/streamed/placeholders.js';
import { SqlRuleCounter } from '../src/pipeline/streamed/rule-counts.js';
import { stageRecords } from '../src/pipeline/streamed/stage.js';
import { streamRecords } from '../src/pipeline/streamed/prepare.js';
import { febrlDir, febrlSettings, repoRoot, runProcess, tempDir } from './helpers.js';

// Every call of buildRecordTable is counted, in process and in DuckDB alike.
const built = vi.hoisted(() => ({ tables: 0 }));
vi.mock('../src/read/record-table.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/read/record-table.js')>();
  return {
    ...original,
    buildRecordTable: (...args: Parameters<typeof original.buildRecordTable>) => {
      built.tables++;
      return original.buildRecordTable(...args);
    },
  };
});

const febrl3 = [{ name: 'f3', path: join(febrlDir, 'dataset3.csv') }];

/** The in-process link's model, saved and parsed back. */
async function modelOf(settings: Settings, sources: typeof febrl3): Promise<FellegiSunterModel> {
  return parseModel(serializeModel((await link({ settings, sources, threads: 1 })).model));
}

/** An error's class and location, to compare two engines' errors. */
const located = (error: unknown) => {
  const { name, code, source, row, column, firstRow, message } = error as Record<string, unknown>;
  return { class: (error as object).constructor.name, name, code, source, row, column, firstRow, message };
};


/** A generated population of three sources in a fresh folder, with the settings.json it wrote. */
async function generated(regime: string, people: number, seed: number): Promise<{ dir: string; settings: Settings }> {
  const dir = tempDir();
  await runProcess(process.execPath, [join(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', String(people), '--sources', '3', '--seed', String(seed), '--regime', regime, '--out', dir]);
  return { dir, settings: JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as Settings };
}

describe('the streamed read of --engine duckdb with a model', () => {
  let febrlModel: FellegiSunterModel;
  beforeAll(async () => {
    febrlModel = await modelOf(febrlSettings('dedupe'), febrl3);
  });

  it('never builds the record table, and keeps only who each record is', async () => {
    built.tables = 0;
    const inProcess = await link({ settings: febrlSettings('dedupe'), sources: febrl3, model: febrlModel, threads: 1 });
    expect(built.tables).toBe(1);
    const sql = await linkInDuckDb({ settings: febrlSettings('dedupe'), sources: febrl3, model: febrlModel, duckdb: { threads: 1 } });
    expect(built.tables).toBe(1);
    expect(Object.keys(sql.table).sort()).toEqual(['flags', 'rows', 'size', 'source', 'recordIds', 'sources', 'warnings'].sort());
    expect(sql.table.recordIds).toEqual(inProcess.table.recordIds);
    expect(Array.from(sql.table.rows)).toEqual(Array.from(inProcess.table.rows));
    expect(sql.identityIds).toEqual(inProcess.identityIds);
  });

  it('gives the groups, ids, flags, placeholders and warnings of the in-process read with the files cut into many parts', async () => {
    const { dir, settings } = await generated('placeholders', 800, 3);
    const sources = ['ehr', 'lab', 'payer'].map((name) => ({ name, path: join(dir, `${name}.csv`) }));
    const model = await modelOf(settings, sources);
    const inProcess = await link({ settings, sources, model, threads: 1 });
    // 20 kB a part: 2 or 3 parts per source, read in two worker threads.
    const sql = await linkInDuckDb({ settings, sources, model, threads: 2, duckdb: { threads: 1 }, streamPartBytes: 20_000 });
    expect(inProcess.table.flags.filter((flag) => flag.reason === 'placeholder').length).toBeGreaterThan(0);
    expect(inProcess.table.flags.filter((flag) => flag.reason !== 'placeholder').length).toBeGreaterThan(0);
    expect(sql.table.flags).toEqual(inProcess.table.flags);
    expect(sql.table.warnings).toEqual(inProcess.table.warnings);
    expect(sql.table.recordIds).toEqual(inProcess.table.recordIds);
    expect(sql.run.countsByRule).toEqual(inProcess.pairs.countsByRule);
    expect(Array.from(sql.clustering.groupOf)).toEqual(Array.from(inProcess.clustering.groupOf));
    expect(sql.identityIds).toEqual(inProcess.identityIds);
  });

  it('reads spreadsheet serial dates per source as in process: a column of them adopted with a warning, a few in a column flagged and dropped', async () => {
    const { dir, settings: written } = await generated('excel-dates', 600, 5);
    // The ehr source's dates without a declared format, and a few serial numbers among them: not a column of serial dates, so flagged.
    const settings = { ...written, sources: { ...written.sources, ehr: { fields: { birth_date: { kind: 'birth_date' } } } } } as Settings;
    const names = ['ehr', 'lab', 'payer'];
    const ehr = readFileSync(join(dir, 'ehr.csv'), 'utf8').split('\n');
    const born = ehr[0].split(',').indexOf('birth_date');
    const serialRows: number[] = [];
    for (const from of [5, 100, 300]) {
      let line = from;
      while (ehr[line].includes('"')) line++;
      const cells = ehr[line].split(',');
      cells[born] = '33010';
      ehr[line] = cells.join(',');
      serialRows.push(line);
    }
    writeFileSync(join(dir, 'ehr.csv'), ehr.join('\n'));
    const sources = names.map((name) => ({ name, path: join(dir, `${name}.csv`) }));
    const model = await modelOf(settings, sources);
    const inProcess = await link({ settings, sources, model, threads: 1 });
    const sql = await linkInDuckDb({ settings, sources, model, duckdb: { threads: 1 }, streamPartBytes: 20_000 });
    expect(inProcess.table.warnings.map((w) => w.kind)).toContain('spreadsheet-serial-dates');
    expect(inProcess.table.flags.filter((flag) => flag.source === 'ehr' && flag.reason === 'unparseable-date').map((flag) => flag.row)).toEqual(expect.arrayContaining(serialRows));
    expect(sql.table.warnings).toEqual(inProcess.table.warnings);
    expect(sql.table.flags).toEqual(inProcess.table.flags);
    expect(sql.run.countsByRule).toEqual(inProcess.pairs.countsByRule);
    expect(Array.from(sql.clustering.groupOf)).toEqual(Array.from(inProcess.clustering.groupOf));
    expect(sql.identityIds).toEqual(inProcess.identityIds);
  });

  /** FEBRL3 with some record ids changed (data row n is line n): to `from`'s id, or blanked with ''. */
  function withIds(changes: readonly (readonly [row: number, id: number | ''])[]): { name: string; path: string }[] {
    const lines = readFileSync(join(febrlDir, 'dataset3.csv'), 'utf8').trimEnd().split('\n');
    for (const [row, id] of changes) {
      const cells = lines[row].split(',');
      cells[0] = id === '' ? '' : lines[id].split(',')[0];
      lines[row] = cells.join(',');
    }
    const path = join(tempDir(), 'changed.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    return [{ name: 'f3', path }];
  }

  it.each([
    ['a repeated id inside one part', [[40, 3]], { class: 'DuplicateRecordIdError', row: 40, firstRow: 3 }],
    ['a repeated id across parts', [[2900, 3]], { class: 'DuplicateRecordIdError', row: 2900, firstRow: 3 }],
    ['a missing id in a later part (its row counted from the file start)', [[3000, '']], { class: 'InvalidValueError', row: 3000 }],
    ['a repeated id across parts before a missing id in its part', [[2900, 3], [2950, '']], { class: 'DuplicateRecordIdError', row: 2900, firstRow: 3 }],
  ] as const)('refuses %s with the error of the in-process read, with parts read here or in workers', async (_, changes, expected) => {
    const sources = withIds(changes);
    const inProcess = await buildRecordTable(sources, febrlSettings('dedupe'), 1).catch((error: unknown) => error);
    expect(located(inProcess)).toMatchObject({ source: 'f3', ...expected });
    for (const threads of [1, 2]) {
      const sql = await linkInDuckDb({ settings: febrlSettings('dedupe'), sources, model: febrlModel, threads, duckdb: { threads: 1 }, streamPartBytes: 50_000 }).catch((error: unknown) => error);
      expect(located(sql)).toEqual(located(inProcess));
    }
  });
});

describe('the pairs a blocking rule makes alone, counted in DuckDB', () => {
  it.each(['dedupe', 'link'] as const)('are those countRulePairs counts on the record table, for every default, tighter, broad, unordered and sorted-neighbourhood rule (%s)', async (mode) => {
    const settings = febrlSettings(mode);
    const sources = [
      { name: 'a', path: join(febrlDir, 'dataset4a.csv') },
      { name: 'b', path: join(febrlDir, 'dataset4b.csv') },
    ];
    const table = await buildRecordTable(sources, settings, 1);
    const fields = new Set(Object.keys(table.columns));
    const defaults = defaultBlockingRules(fields);
    const rules: BlockingRule[] = [
      ...defaults,
      ...defaults.flatMap((rule) => tighterBlockingRule(rule) ?? []),
      ...broadBlockingRules(fields),
      { kind: 'key', keys: [{ column: 'given_name' }, { column: 'family_name' }], unordered: true },
      { kind: 'sortedNeighbourhood', keys: [{ column: 'family_name' }, { column: 'given_name', transform: 'prefix:2' }], window: 4 },
      { kind: 'sortedNeighbourhood', keys: [{ column: 'birth_date' }], window: 3 },
    ];
    const executor = await DuckDbExecutor.open({ threads: 1 });
    const writer = await executor.connect();
    try {
      const staged = await stageRecords(executor.connection, sources, settings);
      await markPlaceholdersInSql(executor.connection, staged);
      const counter = new SqlRuleCounter(executor.connection, writer, staged, mode);
      const counted: number[] = [];
      for (const rule of rules) counted.push(await counter.count(rule));
      await counter.close();
      expect(counted).toEqual(countRulePairs(table, rules, mode));
      expect(counted.every((pairs) => pairs > 0)).toBe(true);
    } finally {
      writer.closeSync();
      executor.close();
    }
  });
});

describe('the streamed read of a source with many flags', () => {
  it('keeps every flag, 200,000 of a part and 200,000 placeholders (a spread of them overflowed the call stack)', async () => {
    const size = 200_000;
    const records = Array.from({ length: size }, (_, i) => ({ id: `r${i}`, name: `n${i % 997}`, dob: 'soon', ssn: '999999999' }));
    const settings: Settings = { recordId: 'id', defaultCountry: 'US', fields: { name: 'given_name', dob: 'birth_date', ssn: 'national_id' }, blockingRules: [{ kind: 'key', keys: [{ column: 'given_name' }] }] };
    const executor = await DuckDbExecutor.open({ threads: 1 });
    const writer = await executor.connect();
    try {
      const { staged } = await streamRecords(executor, writer, { sources: [{ name: 'ehr', records }], settings, mode: 'dedupe', clusteringMethod: 'connectedComponents', model: undefined });
      const reasons = new Map<string, number>();
      for (const flag of staged.flags) reasons.set(flag.reason, (reasons.get(flag.reason) ?? 0) + 1);
      expect(reasons.get('placeholder')).toBe(size);
      expect(reasons.get('unparseable-date')).toBe(size);
    } finally {
      writer.closeSync();
      executor.close();
    }
  });
});
