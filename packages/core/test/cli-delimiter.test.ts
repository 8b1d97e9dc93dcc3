// CSV delimiters: declared per source (--delimiter NAME=CHAR, or `delimiter` in the API's
// source input), or detected from the header line; a file that cannot decide is an error naming it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecordTable, type Settings } from '../src/index.js';
import { detectDelimiter } from '../src/read/csv-delimiter.js';
import { runMpi, tempDir, writeIn } from './helpers.js';

const mpi = runMpi;

const settings: Settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date' } };

/** The same three records with fields split at `d`; one value holds the other candidates inside quotes. */
function records(d: string): string {
  return [['id', 'first', 'last', 'dob'], ['1', 'Ann', '"Lee, Jr; |x"', '1980-03-05'], ['2', 'Bob', 'Ng', '1975-12-31'], ['3', 'Ann', 'Lee', '1980-03-05']]
    .map((row) => row.join(d))
    .join('\n') + '\n';
}

/** The given and family names the engine read, in row order. */
async function namesRead(path: string, delimiter?: string): Promise<string[]> {
  const table = await buildRecordTable([{ name: 's', path, ...(delimiter === undefined ? {} : { delimiter }) }], settings);
  const value = (field: string, r: number) => table.columns[field].dictionary[table.columns[field].ids[r]];
  return Array.from({ length: table.size }, (_, r) => `${value('given_name', r)} ${value('family_name', r)}`);
}

describe('the delimiter of a CSV file', () => {
  it('is read from the header line: comma, semicolon, tab or pipe', async () => {
    const dir = tempDir();
    const expected = await namesRead(writeIn(dir, 'comma.csv', records(',')));
    expect(expected).toHaveLength(3);
    for (const [name, d] of [['semicolon.csv', ';'], ['tab.tsv', '\t'], ['pipe.txt', '|']]) {
      expect([name, await namesRead(writeIn(dir, name, records(d)))]).toEqual([name, expected]);
    }
  });

  it('is the one whose count holds in every row when the header holds several', async () => {
    expect(detectDelimiter('id;name, with comma;dob\n1;x;y\n2;z;w\n')).toBe(';');
    expect(detectDelimiter('id;a,b\n1;2,3\n')).toBeUndefined();
    expect(detectDelimiter('only_one_column\n1\n')).toBe(',');
  });

  it('can be declared, and then is not guessed', async () => {
    const dir = tempDir();
    // A header that shows both ; and |: declared, it reads; undeclared, it is refused.
    const path = writeIn(dir, 'both.csv', 'id|first|last;x|dob\n1|Ann|Lee;|1980-03-05\n');
    const table = await buildRecordTable([{ name: 's', path, delimiter: '|' }], { recordId: 'id', fields: { first: 'given_name', 'last;x': 'family_name' } });
    expect(table.size).toBe(1);
    await expect(buildRecordTable([{ name: 's', path }], settings)).rejects.toMatchObject({ code: 'AMBIGUOUS_DELIMITER', source: 's' });
  });

  it('that cannot be decided is an error naming the source and the option to give, exit code 2', async () => {
    const dir = tempDir();
    const path = writeIn(dir, 'a.csv', 'id;first,last\n1;Ann,Lee\n');
    const run = await mpi(['link', '--source', `ward=${path}`, '--out', join(dir, 'g.csv'), '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/source "ward": cannot tell the field delimiter: the header holds "," and ";"; declare it \(--delimiter ward=CHAR/);
    expect(run.stderr).not.toMatch(/Ann|Lee/);
  });

  it('is given per source on the command line: --delimiter NAME=CHAR, tab by name', async () => {
    const dir = tempDir();
    const a = writeIn(dir, 'a.csv', 'id;first;last;dob\n1;Ann;Lee;1980-03-05\n');
    const b = writeIn(dir, 'b.tsv', 'id\tfirst\tlast\tdob\n2\tAnn\tLee\t1980-03-05\n');
    const settingsFile = writeIn(dir, 'settings.json', JSON.stringify(settings));
    const out = join(dir, 'g.csv');
    const run = await mpi(['link', '--settings', settingsFile, '--source', `a=${a}`, '--source', `b=${b}`, '--delimiter', 'a=;', '--delimiter', 'b=tab', '--out', out, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('given for a source --source does not give, or as more than one character, is a usage error', async () => {
    const dir = tempDir();
    const a = writeIn(dir, 'a.csv', 'id,first\n1,Ann\n');
    const unknown = await mpi(['link', '--source', `a=${a}`, '--delimiter', 'b=;', '--out', join(dir, 'g.csv')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--delimiter names a source that --source does not give: b/);
    const long = await mpi(['link', '--source', `a=${a}`, '--delimiter', 'a=;;', '--out', join(dir, 'g.csv')]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/expected one character/);
  });

  it('is found by each read worker, for a large file read in parts on several threads', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    // About 10 MB: cut into parts of whole rows, each read in a worker thread.
    const rows = Array.from({ length: 320_000 }, (_, i) => `${i};given${i % 500};family${i % 700};19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`);
    const big = writeIn(dir, 'big.csv', ['id;first;last;dob', ...rows].join('\n') + '\n');
    const small = writeIn(dir, 'small.tsv', records('\t'));
    const table = await buildRecordTable([{ name: 'big', path: big }, { name: 'small', path: small }], settings, 2, { parallelReadBytes: 1 });
    expect(table.size).toBe(320_003);
    expect(table.flags).toEqual([]);
  });
});
