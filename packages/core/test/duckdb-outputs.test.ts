// The outputs of a DuckDB link are written by DuckDB from its own tables (who
// each record is stays there): the files must be byte for byte those the
// in-process writers make, be published whole or not at all, and hold every
// record once.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, describe, expect, it } from 'vitest';
import { parseModel, serializeModel } from '@mpi/scoring';
import { appendColumns, DuckDbExecutor } from '@mpi/sql';
import { link, writeGroupsCsv, type Settings } from '../src/index.js';
import { linkInDuckDb } from '../src/advanced.js';
import { numberGroups } from '../src/cluster/cluster.js';
import { publishAll } from '../src/output/atomic-file.js';
import { stageGroupsInDuckDb, stagePairsInDuckDb } from '../src/output/duckdb-outputs.js';
import { stageGroupsCsv, stagePairBatches } from '../src/output/write-results.js';
import { identityIdsOf } from '../src/pipeline/cluster.js';
import { identitiesInDuckDb } from '../src/pipeline/identities-in-duckdb.js';
import type { RecordsInDuckDb } from '../src/pipeline/link-sql.js';
import { febrlDir, febrlSettings, repoRoot } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mpi-duckdb-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Record ids a source system may send: commas, quotes, non-ASCII (astral too), spaces inside, spreadsheet formula starts. */
const AWKWARD = ['rec, 1', '\u00a0lead', 'He said "hi"', 'réc-ü日本', 'a\u00a0b\u3000c', '=SUM(A1)', '+1', '-2', '@x', 'smile 😀', '""', ',', 'plain'];

/** What the tests write from: the same records and groups in memory and in DuckDB. */
async function recordsInBoth(size: number, sources: readonly string[]) {
  const source = Uint16Array.from({ length: size }, (_, r) => r % sources.length);
  const recordIds = Array.from({ length: size }, (_, r) => `${AWKWARD[r % AWKWARD.length]}${r}`);
  // Rows 3k, 3k+1, 3k+2 are one group when k is even, else each alone.
  const clustering = numberGroups(size, Uint32Array.from({ length: size }, (_, r) => (Math.floor(r / 3) % 2 === 0 ? r - (r % 3) : r)));
  const executor = await DuckDbExecutor.open({ threads: 2 });
  await executor.connection.run('CREATE TABLE who ("row" UINTEGER, "source" INTEGER, src_row UINTEGER, record_id VARCHAR)');
  const appender = await executor.connection.createAppender('who');
  appendColumns(appender, size, (column, r) => [r, source[r], r + 1, recordIds[r]][column]);
  appender.closeSync();
  await identitiesInDuckDb(executor, sources, clustering);
  const table = { size, sources, source, recordIds };
  const records: RecordsInDuckDb = { executor, records: { size, sources, flags: [], warnings: [] }, threshold: 0.9 };
  return { table, clustering, executor, records };
}

/** Weights at every formatting edge: toFixed ties (odd multiples of 1/32), zeros, probabilities printed fixed and exponential, near 1. */
function edgeWeights(): number[] {
  const weights = [0, -0, 1 / 32, -1 / 32, 41 / 32, -41 / 32, 3 / 32 + 8, 0.00005, -0.00005, 1e-9, -1e-9, 19.93, -19.93, -19.9316, -23.2535, -60, -1000, 40, 60, 1000, 3.1699250014423126];
  // Probabilities at binary fractions of few bits (ties of toPrecision(6) are possible only there): 13/128 is 0.1015625.
  for (const p of [13 / 128, 0.5, 0.25, 0.75, 1 / 1024, 3 / 2048, 1023 / 1024]) weights.push(Math.log2(p / (1 - p)));
  // A fixed pseudo-random spread (a linear congruential sequence, so the test is the same every run).
  let seed = 12345;
  for (let k = 0; k < 3000; k++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    weights.push((seed / 2 ** 31) * 140 - 70);
  }
  return weights;
}

describe('the outputs DuckDB writes are the lines the in-process writers write', () => {
  it('groups.csv and pairs.csv are byte-identical, with awkward record ids and source names, spreadsheet-safe or not', async () => {
    const sources = ['ehr', 'lab, north', '=src'];
    const { table, clustering, executor, records } = await recordsInBoth(5000, sources);
    try {
      const weights = edgeWeights();
      const left = Uint32Array.from(weights, (_, k) => k % 1000);
      const right = Uint32Array.from(weights, (_, k) => 1000 + k);
      await executor.connection.run('CREATE TABLE scored_pairs (left_row UINTEGER, right_row UINTEGER, "rule" INTEGER, match_weight DOUBLE)');
      const appender = await executor.connection.createAppender('scored_pairs');
      appendColumns(appender, weights.length, (column, k) => [left[k], right[k], 0, weights[k]][column]);
      appender.closeSync();
      // The in-process writer takes the pairs in (left, right) order, as DuckDB writes them.
      const order = Array.from(weights, (_, k) => k).sort((a, b) => left[a] - left[b] || right[a] - right[b]);
      const batch = { left: order.map((k) => left[k]), right: order.map((k) => right[k]), weight: order.map((k) => weights[k]) };

      for (const spreadsheetSafe of [false, true]) {
        const expected = join(dir, `groups-expected-${spreadsheetSafe}.csv`);
        const written = join(dir, `groups-duckdb-${spreadsheetSafe}.csv`);
        publishAll([await stageGroupsCsv({ table, clustering, identityIds: identityIdsOf(table, clustering) }, expected, { spreadsheetSafe })]);
        publishAll([await stageGroupsInDuckDb(records, written, { spreadsheetSafe })]);
        expect(readFileSync(written, 'utf8')).toBe(readFileSync(expected, 'utf8'));
        for (const minProbability of [0, 0.9, 0.999]) {
          const pairsExpected = join(dir, `pairs-expected.csv`);
          const pairsWritten = join(dir, `pairs-duckdb.csv`);
          publishAll([(await stagePairBatches(table, [batch], pairsExpected, { minProbability, spreadsheetSafe })).file]);
          publishAll([await stagePairsInDuckDb(records, pairsWritten, { minProbability, spreadsheetSafe })]);
          const text = readFileSync(pairsWritten, 'utf8');
          expect(text).toBe(readFileSync(pairsExpected, 'utf8'));
          if (minProbability === 0) {
            // The file shows each format: a tie rounded up, exponents, -0 as 0.0000.
            expect(text).toContain(',0.0313,');
            expect(text).toMatch(/,\d\.\d{5}e-\d+\n/);
            expect(text).toContain(',0.0000,0.500000\n');
          }
        }
      }
      // A formula start is prefixed with a quote when spreadsheet-safe; a leading non-ASCII space is quoted.
      expect(readFileSync(join(dir, 'groups-duckdb-true.csv'), 'utf8')).toContain(`,'=SUM(A1)`);
      expect(readFileSync(join(dir, 'groups-duckdb-false.csv'), 'utf8')).toContain(`,"\u00a0lead1",`);
    } finally {
      executor.close();
    }
  });
});

/** A folder holding a previous groups.csv, and the check that a failed write left it alone with nothing beside it. */
function previousGroupsFile(name: string) {
  const folder = join(dir, name);
  mkdirSync(folder);
  const target = join(folder, 'groups.csv');
  writeFileSync(target, 'the previous file\n');
  const untouched = () => {
    expect(readdirSync(folder)).toEqual(['groups.csv']);
    expect(readFileSync(target, 'utf8')).toBe('the previous file\n');
  };
  return { folder, target, untouched };
}

describe('a failed write leaves no output file', () => {
  it('a record without an identity group fails the groups file: no temporary file left, the previous file as it was', async () => {
    const { executor, records } = await recordsInBoth(200_000, ['a', 'b']);
    try {
      const { target, untouched } = previousGroupsFile('failing');
      // The last record loses its group: DuckDB fails the statement that writes the lines.
      await executor.connection.run('DELETE FROM identity_groups WHERE "row" = 199999');
      await expect(stageGroupsInDuckDb(records, target)).rejects.toMatchObject({ code: 'SQL_ENGINE_FAILED' });
      untouched();
    } finally {
      executor.close();
    }
  });

  it('an interrupted write (the connection interrupted mid-file, as on SIGTERM) leaves no temporary file', async () => {
    const { executor, records } = await recordsInBoth(1_000_000, ['a', 'b']);
    try {
      const { folder, target, untouched } = previousGroupsFile('interrupted');
      // Interrupt once DuckDB has begun to write the temporary file.
      const writing = stageGroupsInDuckDb(records, target);
      let sawPart = false;
      const poll = setInterval(() => {
        for (const name of readdirSync(folder)) {
          if (name.endsWith('.tmp') && statSync(join(folder, name)).size > 0) {
            sawPart = true;
            executor.connection.interrupt();
            clearInterval(poll);
          }
        }
      }, 1);
      await expect(writing).rejects.toMatchObject({ code: 'SQL_ENGINE_FAILED' });
      clearInterval(poll);
      expect(sawPart).toBe(true);
      untouched();
    } finally {
      executor.close();
    }
  });
});

/** FEBRL4 with its record ids made awkward: commas, quotes, non-ASCII, spaces inside, formula starts. */
function awkwardFebrl(name: string): string {
  const [header, ...lines] = readFileSync(join(febrlDir, name), 'utf8').trimEnd().split('\n');
  const rewritten = lines.map((line, k) => {
    const id = line.slice(0, line.indexOf(','));
    const awkward = k % 4 === 3 ? id : `${AWKWARD[k % AWKWARD.length]}${id}`;
    return `"${awkward.replaceAll('"', '""')}"${line.slice(line.indexOf(','))}`;
  });
  const path = join(dir, name);
  writeFileSync(path, [header, ...rewritten].join('\n') + '\n');
  return path;
}

const population = join(repoRoot, 'fixtures/population');
const linked = [
  {
    name: 'FEBRL4 with awkward record ids',
    settings: febrlSettings('link') as Settings,
    sources: () => [
      { name: 'a', path: awkwardFebrl('dataset4a.csv') },
      { name: 'b', path: awkwardFebrl('dataset4b.csv') },
    ],
    awkward: true,
  },
  {
    name: 'the generated demo population (4 sources)',
    settings: JSON.parse(readFileSync(join(population, 'settings.json'), 'utf8')) as Settings,
    sources: () => ['clinic', 'ehr', 'lab', 'payer'].map((name) => ({ name, path: join(population, `${name}.csv`) })),
    awkward: false,
  },
];

describe.each(linked)('mpi link --engine duckdb writes the files it wrote before, from DuckDB, on $name', ({ name, settings, awkward, ...input }) => {
  it('the groups file of the in-process engine, the pairs file of the pairs read back, every record once', async () => {
    const sources = input.sources();
    const file = (what: string) => join(dir, `${name.split(' ')[0]}-${what}.csv`);
    const inProcess = await link({ settings, sources, threads: 1 });
    const model = parseModel(serializeModel(inProcess.model));
    await writeGroupsCsv(inProcess, file('in-process'));

    // Before: who each record is read into memory, the pairs read back in batches and written by our process.
    const before = await linkInDuckDb({
      settings,
      sources,
      model,
      duckdb: { threads: 1 },
      withScoredPairs: async (pairs, records) => publishAll([(await stagePairBatches(records, pairs(-Infinity), file('pairs-before'), { minProbability: 0 })).file]),
    });
    expect(before.table.recordIds.length).toBe(inProcess.table.size);

    // Now: DuckDB writes both files; no record id comes back.
    const now = await linkInDuckDb({
      settings,
      sources,
      model,
      duckdb: { threads: 1 },
      outputs: async (records) => publishAll([await stageGroupsInDuckDb(records, file('groups')), await stagePairsInDuckDb(records, file('pairs'), { minProbability: 0 })]),
    });
    expect('recordIds' in now.table).toBe(false);
    expect('identityIds' in now).toBe(false);

    const groups = readFileSync(file('groups'), 'utf8');
    expect(groups).toBe(readFileSync(file('in-process'), 'utf8'));
    if (awkward) expect(groups).toContain('"He said ""hi""');
    const pairs = readFileSync(file('pairs'), 'utf8');
    expect(pairs.split('\n').length).toBeGreaterThan(1000);
    expect(pairs).toBe(readFileSync(file('pairs-before'), 'utf8'));

    // Conservation: every input record in exactly one group.
    const rows = Papa.parse<string[]>(groups.trimEnd(), { skipEmptyLines: true }).data.slice(1);
    const keys = new Set(rows.map(([source, id]) => `${source}\u0000${id}`));
    expect(rows.length).toBe(inProcess.table.size);
    expect(keys.size).toBe(inProcess.table.size);
    for (let r = 0; r < inProcess.table.size; r++) expect(keys.has(`${inProcess.table.sources[inProcess.table.source[r]]}\u0000${inProcess.table.recordIds[r]}`)).toBe(true);
    expect(new Set(rows.map((row) => row[2])).size).toBe(now.clustering.groupCount);
  });
});
