// Where a large CSV file is cut into parts of whole rows (csvCuts), and that a
// source read in such parts, streamed into DuckDB, is the source read whole:
// quoted values holding line breaks, commas and quotes near the cuts, CRLF line
// ends, a byte order mark, files too small to cut, an empty file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModel, serializeModel, type FellegiSunterModel } from '@mpi/scoring';
import { link } from '../src/index.js';
import { linkInDuckDb } from '../src/advanced.js';
import { buildRecordTable } from '../src/read/record-table.js';
import { csvCuts } from '../src/read/sources.js';
import { febrlDir, febrlSettings, tempDir, writeIn } from './helpers.js';

/** FEBRL3's lines (the first `records`), every third record's address_2 a quoted value with a line break, a comma and a doubled quote. */
function quotedFebrl(lineEnd: '\n' | '\r\n', bom = '', records = Infinity): string {
  const lines = readFileSync(join(febrlDir, 'dataset3.csv'), 'utf8').trimEnd().split('\n').slice(0, records + 1);
  const rows = lines.map((line, i) => {
    if (i === 0 || i % 3 !== 0) return line;
    const cells = line.split(',');
    cells[5] = ` "flat ${i},${lineEnd}""rear"" ${cells[5].trim()}"`;
    return cells.join(',');
  });
  return bom + rows.join(lineEnd) + lineEnd;
}

/** The rows papaparse reads from a CSV text. */
const parsed = (text: string) => Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' }).data;

describe('csvCuts', () => {
  it.each([
    ['LF line ends', quotedFebrl('\n', '', 300)],
    ['CRLF line ends and a byte order mark', quotedFebrl('\r\n', '\uFEFF', 300)],
  ])('cuts only between records, with quoted line breaks near the cuts (%s), the same cuts whatever the block read at a time', async (_, text) => {
    const path = writeIn(tempDir(), 'q.csv', text);
    const bytes = Buffer.from(text);
    const whole = parsed(text);
    for (const parts of [2, 7, 40]) {
      const { headerEnd, cuts } = await csvCuts(path, parts);
      expect(headerEnd).toBe(bytes.indexOf(0x0a) + 1);
      expect(cuts.length).toBe(parts - 1);
      expect(cuts).toEqual([...new Set(cuts)].sort((a, b) => a - b));
      for (const blockBytes of [3, 97, 4096]) expect(await csvCuts(path, parts, blockBytes)).toEqual({ headerEnd, cuts });
      // The parts' rows, each part read after the header, are the file's rows in order.
      const bounds = [headerEnd, ...cuts, bytes.length];
      const rows = bounds.slice(1).flatMap((end, k) => parsed(bytes.subarray(0, headerEnd).toString() + bytes.subarray(bounds[k], end).toString()).slice(1));
      expect(rows).toEqual(whole.slice(1));
      for (const cut of cuts) expect(bytes[cut - 1]).toBe(0x0a);
    }
  });

  it('never cuts inside a quoted value that spans more than a part', async () => {
    const long = `"${'x,\n'.repeat(400)}"`;
    const text = ['id,a', ...Array.from({ length: 60 }, (_, i) => (i === 10 ? `${i},${long}` : `${i},v${i}`))].join('\n') + '\n';
    const path = writeIn(tempDir(), 'long.csv', text);
    const { cuts } = await csvCuts(path, 10, 16);
    const spanned = [text.indexOf(long), text.indexOf(long) + long.length];
    expect(cuts.length).toBeGreaterThan(0);
    expect(cuts).toEqual([...new Set(cuts)].sort((a, b) => a - b));
    for (const cut of cuts) expect(cut <= spanned[0] || cut > spanned[1]).toBe(true);
  });

  it('gives no cut where there is no room for one: an empty file, a header alone, a single row, a quoted header', async () => {
    const dir = tempDir();
    expect(await csvCuts(writeIn(dir, 'empty.csv', ''), 4)).toEqual({ headerEnd: 0, cuts: [] });
    expect(await csvCuts(writeIn(dir, 'header.csv', 'id,a'), 4)).toEqual({ headerEnd: 0, cuts: [] });
    expect(await csvCuts(writeIn(dir, 'header-line.csv', 'id,a\n'), 4)).toEqual({ headerEnd: 5, cuts: [] });
    expect(await csvCuts(writeIn(dir, 'one.csv', 'id,a\n1,x\n'), 4)).toEqual({ headerEnd: 5, cuts: [] });
    expect((await csvCuts(writeIn(dir, 'quoted.csv', '"id","a"\n1,x\n2,y\n3,z\n'), 3)).cuts).toEqual([]);
  });
});

describe('a source with quoted line breaks, streamed into DuckDB in parts', () => {
  let model: FellegiSunterModel;
  const settings = febrlSettings('dedupe');
  beforeAll(async () => {
    const sources = [{ name: 'f3', path: join(febrlDir, 'dataset3.csv') }];
    model = parseModel(serializeModel((await link({ settings, sources, threads: 1 })).model));
  });

  it.each([
    ['LF', quotedFebrl('\n')],
    ['CRLF and a byte order mark', quotedFebrl('\r\n', '\uFEFF')],
  ])('gives the groups, ids and flags of the in-process read (%s), cut into parts smaller and larger than the file', async (_, text) => {
    const sources = [{ name: 'f3', path: writeIn(tempDir(), 'q.csv', text) }];
    const inProcess = await link({ settings, sources, model, threads: 1 });
    // 20 kB: about 30 parts; 10 MB: larger than the file, read whole.
    for (const streamPartBytes of [20_000, 10_000_000]) {
      const sql = await linkInDuckDb({ settings, sources, model, threads: 2, duckdb: { threads: 1 }, streamPartBytes });
      expect(sql.table.recordIds).toEqual(inProcess.table.recordIds);
      expect(Array.from(sql.table.rows)).toEqual(Array.from(inProcess.table.rows));
      expect(sql.table.flags).toEqual(inProcess.table.flags);
      expect(sql.identityIds).toEqual(inProcess.identityIds);
    }
  }, 240_000);

  /** An error's class and where it says it is. */
  const located = (error: unknown) => {
    const { code, source, row, column, message } = error as Record<string, unknown>;
    return { class: (error as object).constructor.name, code, source, row, column, message };
  };

  it.each([
    ['a row with a field too many', (cells: string[]) => [...cells, 'extra'], { class: 'MalformedRowError', row: 2500 }],
    ['a missing record id', (cells: string[]) => ['', ...cells.slice(1)], { class: 'InvalidValueError', row: 2500, column: 'rec_id' }],
  ] as const)('refuses %s in a later part, naming the source, its row of the file and its field, as the in-process read does', async (_, change, expected) => {
    const lines = quotedFebrl('\n').split('\n');
    // Data row 2500 (a third of the rows before it are two lines long).
    let dataRows = 0;
    const line = lines.findIndex((l, i) => i > 0 && l.startsWith('rec-') && ++dataRows === 2500);
    lines[line] = change(lines[line].split(',')).join(',');
    const path = join(tempDir(), 'bad.csv');
    writeFileSync(path, lines.join('\n'));
    const sources = [{ name: 'f3', path }];
    const inProcess = await buildRecordTable(sources, settings, 1).catch((error: unknown) => error);
    expect(located(inProcess)).toMatchObject({ source: 'f3', ...expected });
    for (const threads of [1, 2]) {
      const sql = await linkInDuckDb({ settings, sources, model, threads, duckdb: { threads: 1 }, streamPartBytes: 20_000 }).catch((error: unknown) => error);
      expect(located(sql)).toEqual(located(inProcess));
    }
  }, 240_000);
});
