import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildRecordTable,
  DuplicateColumnError,
  EncodingError,
  InvalidValueError,
  MalformedRowError,
  MissingColumnError,
  SettingsError,
  type RecordTable,
  type Settings,
  type SourceInput,
} from '../src/index.js';
import { jsonNumberText } from '../src/read/ndjson.js';
import { readerLimits, readSource, readSourceCells } from '../src/read/sources.js';
import { processOutput, tempDir, writeIn } from './helpers.js';

// Edge cases of reading sources (docs/input-rules.md): each is read the same way,
// or refused with the same typed error at the same row and column, on every
// reader path: CSV split without a parser (quote-free), CSV through papaparse
// (a quoted field), CSV streamed (a file above the whole-read limit), CSV read in
// worker threads, NDJSON, an in-memory array and an async iterable.

const SECRET = 'Zebediah';
const settings: Settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date', phone: 'phone' } };

async function failure(promise: Promise<unknown>): Promise<Error & { row?: number; column?: string; code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

/** What a read gave: the records of one source with their normalized values and flags, or the error's class, row and column. */
type Outcome =
  | { table: { ids: string[]; rows: number[]; values: Record<string, string[]>; flags: string[] } }
  | { error: { name: string; row: number | undefined; column: string | undefined } };

async function outcomeOf(read: Promise<RecordTable>, source = 'a'): Promise<Outcome> {
  try {
    const table = await read;
    const s = table.sources.indexOf(source);
    const records = [...table.recordIds.keys()].filter((r) => table.source[r] === s);
    const values: Record<string, string[]> = {};
    for (const [field, column] of Object.entries(table.columns)) values[field] = records.map((r) => column.dictionary[column.ids[r]]);
    return {
      table: {
        ids: records.map((r) => table.recordIds[r]),
        rows: records.map((r) => table.rows[r]),
        values,
        flags: table.flags.filter((f) => f.source === source).map((f) => `${f.row}:${f.column}:${f.reason}`),
      },
    };
  } catch (error) {
    const e = error as Error & { row?: number; column?: string };
    expect(e.message).not.toContain(SECRET);
    return { error: { name: e.name, row: e.row, column: e.column } };
  }
}

/** Reads `input` on this thread, or in a worker thread beside a second small file source. */
async function readFile(input: SourceInput & { path: string }, options: Settings, how: 'thread' | 'stream' | 'worker'): Promise<Outcome> {
  if (how === 'worker') {
    const other = writeIn(tempDir(), 'other.csv', `${[options.recordId, ...Object.keys(options.fields)].join(',')}\nz1${','.repeat(Object.keys(options.fields).length)}\n`);
    return outcomeOf(buildRecordTable([input, { name: 'zz', path: other }], options, 2, { parallelReadBytes: 0 }));
  }
  if (how === 'stream') readerLimits.wholeTextBytes = 0;
  try {
    return await outcomeOf(buildRecordTable([input], options, 1));
  } finally {
    readerLimits.wholeTextBytes = 64 << 20;
  }
}

afterEach(() => {
  readerLimits.wholeTextBytes = 64 << 20;
});

type Cell = string | bigint;
type Row = Record<string, Cell>;

const csvCell = (value: Cell) => String(value);
/** NDJSON with bigint cells written as JSON numbers (digits as they are). */
const ndjsonLine = (row: Row) =>
  JSON.stringify(row, (_, v: unknown) => (typeof v === 'bigint' ? `\u0001${v}` : v)).replace(/"\\u0001(-?\d+)"/g, '$1');

/**
 * The outcome of reading `rows` on every path: CSV quote-free, CSV with one
 * quoted field (papaparse), CSV streamed, CSV in a worker thread, NDJSON, an
 * in-memory array (bigints as bigints) and an async iterable.
 */
async function everyPath(rows: Row[], options: Settings = settings): Promise<Record<string, Outcome>> {
  const dir = tempDir();
  // A key a record lacks is an empty CSV field.
  const header = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (row: Row, column: string) => (Object.prototype.hasOwnProperty.call(row, column) ? csvCell(row[column]) : '');
  const lines = rows.map((row) => header.map((column) => cell(row, column)).join(','));
  const plain = writeIn(dir, 'plain.csv', [header.join(','), ...lines].join('\n') + '\n');
  const quotedLines = rows.map((row, i) => header.map((column, c) => (i === 0 && c === 1 ? `"${cell(row, column)}"` : cell(row, column))).join(','));
  const quoted = writeIn(dir, 'quoted.csv', [header.join(','), ...quotedLines].join('\n') + '\n');
  const ndjson = writeIn(dir, 'a.ndjson', rows.map(ndjsonLine).join('\n') + '\n');
  async function* iterate() {
    for (const row of rows) yield row;
  }
  return {
    'csv quote-free': await readFile({ name: 'a', path: plain }, options, 'thread'),
    'csv papaparse': await readFile({ name: 'a', path: quoted }, options, 'thread'),
    'csv streamed': await readFile({ name: 'a', path: quoted }, options, 'stream'),
    'csv worker': await readFile({ name: 'a', path: plain }, options, 'worker'),
    ndjson: await readFile({ name: 'a', path: ndjson }, options, 'thread'),
    array: await outcomeOf(buildRecordTable([{ name: 'a', records: rows }], options, 1)),
    'async iterable': await outcomeOf(buildRecordTable([{ name: 'a', records: iterate() }], options, 1)),
  };
}

/** Every path's outcome equals the first's; returns it. */
function same(outcomes: Record<string, Outcome>): Outcome {
  const [first, ...rest] = Object.entries(outcomes);
  for (const [path, outcome] of rest) expect(outcome, `${path} against ${first[0]}`).toEqual(first[1]);
  return first[1];
}

const person = (id: Cell, first: string, last = 'Lee', dob = '1980-03-05', phone = '555-234-5678'): Row => ({ id, first, last, dob, phone });

describe('every reader path reads the edge cases alike', () => {
  it('removes invisible characters inside names (zero-width space, joiners, word joiner, BOM, soft hyphen)', async () => {
    const outcome = same(
      await everyPath([person('1', 'Jo\u200bhn', 'Smi\u00adth'), person('2', 'An\u2060n', 'L\u200cee'), person('3', 'Bo\ufeffb', 'Ng\u200d'), person('4', 'John', 'Smith')]),
    );
    expect(outcome).toMatchObject({ table: { values: { given_name: ['john', 'ann', 'bob', 'john'], family_name: ['smith', 'lee', 'ng', 'smith'] } } });
  }, 30_000);

  it('reads full-width and other-script digits in dates and phones', async () => {
    const outcome = same(
      await everyPath([
        person('1', 'Ann', 'Lee', '１９８０－０３－０５', '（５５５）２３４－５６７８'),
        person('2', 'Ann', 'Lee', '١٩٨٠-٠٣-٠٥', '555\u2011234\u20115678'),
        person('3', 'Ann', 'Lee', '1980-03-05', '555-234-5678'),
      ]),
    );
    expect(outcome).toMatchObject({ table: { values: { birth_date: ['19800305', '19800305', '19800305'], phone: ['+15552345678', '+15552345678', '+15552345678'] }, flags: [] } });
  }, 30_000);

  it('refuses a control character in a record id, naming source, row and column', async () => {
    for (const id of ['2\u0000', '2\u0007x', '\u00852']) {
      const outcome = same(await everyPath([person('1', 'Ann'), person(id, SECRET), person('3', 'Cy')]));
      expect(outcome).toEqual({ error: { name: 'InvalidValueError', row: 2, column: 'id' } });
    }
  }, 60_000);

  it('flags a control character in another value and keeps the record', async () => {
    const outcome = same(await everyPath([person('1', 'Ann'), person('2', `${SECRET}\u0000`), person('3', 'Cy', 'Lee\u001b')]));
    expect(outcome).toMatchObject({ table: { ids: ['1', '2', '3'], flags: ['2:first:control-character', '3:last:control-character'] } });
    const strict = same(await everyPath([person('1', 'Ann'), person('2', `${SECRET}\u0000`)], { ...settings, invalidValues: 'error' }));
    expect(strict).toEqual({ error: { name: 'InvalidValueError', row: 2, column: 'first' } });
  }, 60_000);

  it('reads columns named like Object prototype members as columns', async () => {
    // Built from entries: an object literal's own `constructor`/`toString` keys would be typed as Object's members.
    const members: Settings = { recordId: 'id', fields: Object.fromEntries([['constructor', 'given_name'], ['toString', 'family_name'], ['hasOwnProperty', 'text'], ['valueOf', 'text']]) as Settings['fields'] };
    // The second record lacks two of them: empty, not the prototype's functions.
    const rows: Row[] = [
      Object.fromEntries([['id', '1'], ['constructor', 'Ann'], ['toString', 'Lee'], ['hasOwnProperty', 'x'], ['valueOf', 'y']]),
      Object.fromEntries([['id', '2'], ['constructor', 'Bo'], ['toString', 'Ng']]),
    ];
    const outcome = same(await everyPath(rows, members));
    expect(outcome).toMatchObject({ table: { values: { given_name: ['ann', 'bo'], family_name: ['lee', 'ng'], hasOwnProperty: ['x', ''], valueOf: ['y', ''] } } });
  }, 30_000);

  it('reads a numeric id above 2^53 as the digits written', async () => {
    const outcome = same(await everyPath([person(9007199254740993n, 'Ann'), person(9007199254740992n, 'Bo'), person(12345678901234567890n, 'Cy')]));
    expect(outcome).toMatchObject({ table: { ids: ['12345678901234567890', '9007199254740992', '9007199254740993'] } });
  }, 30_000);
});

describe('byte order marks', () => {
  it('reads a CSV whose BOM precedes a quoted header, on the parser, streamed and worker paths', async () => {
    const path = writeIn(tempDir(), 'a.csv', '\ufeff"id","first","last","dob","phone"\r\n"1",Ann,Lee,1980-03-05,\r\n2,Bo,Ng,,\r\n');
    const expected = { ids: ['1', '2'], values: { given_name: ['ann', 'bo'] } };
    for (const how of ['thread', 'stream', 'worker'] as const) {
      expect(await readFile({ name: 'a', path }, settings, how), how).toMatchObject({ table: expected });
    }
  });

  it('reads an NDJSON file that starts with a BOM', async () => {
    const path = writeIn(tempDir(), 'a.ndjson', '\ufeff{"id":"1","first":"Ann","last":"Lee","dob":"","phone":""}\r\n{"id":"2","first":"Bo","last":"Ng","dob":"","phone":""}\n');
    expect(await readFile({ name: 'a', path }, settings, 'thread')).toMatchObject({ table: { ids: ['1', '2'], values: { given_name: ['ann', 'bo'] } } });
  });

  it('reads the header of a part of a file that starts with a BOM (the part a worker thread reads), whole or streamed', async () => {
    const text = '\ufeffid,first,last,dob,phone\n1,Ann,Lee,,\n2,Zoë,Ng,,\n3,Cy,Dee,,\n';
    const path = writeIn(tempDir(), 'a.csv', text);
    const bytes = Buffer.from(text);
    const range = { headerEnd: bytes.indexOf(0x0a) + 1, start: bytes.indexOf('2,Zo'), end: bytes.length };
    // A UTF-8 byte order mark means UTF-8 in every piece, whatever the declared encoding.
    for (const input of [{ name: 'a', path }, { name: 'a', path, encoding: 'latin1' as const }]) {
      for (const limit of [64 << 20, 0]) {
        readerLimits.wholeTextBytes = limit;
        const cells = [];
        for await (const batch of readSourceCells(input, ['id', 'first'], range)) cells.push(...batch.cells.map((row) => batch.columns.map((c) => row[c])));
        expect(cells, `${input.encoding ?? 'utf-8'}, limit ${limit}`).toEqual([
          ['2', 'Zoë'],
          ['3', 'Cy'],
        ]);
      }
    }
  });
});

describe('line endings', () => {
  const text = 'id,first,last,dob,phone\r\n1,Ann,Lee,1980-03-05,\r\n2,Bo,Ng,1980-03-05,\n3,Cy,Dee,,\r\n\n4,Di,Eve,,\r\n';
  it('reads a CRLF file with LF-only rows on every CSV path', async () => {
    const dir = tempDir();
    const plain = writeIn(dir, 'plain.csv', text);
    const quoted = writeIn(dir, 'quoted.csv', text.replace('Ann', '"Ann"'));
    const outcomes = {
      'quote-free': await readFile({ name: 'a', path: plain }, settings, 'thread'),
      papaparse: await readFile({ name: 'a', path: quoted }, settings, 'thread'),
      streamed: await readFile({ name: 'a', path: quoted }, settings, 'stream'),
      worker: await readFile({ name: 'a', path: quoted }, settings, 'worker'),
    };
    expect(same(outcomes)).toMatchObject({ table: { ids: ['1', '2', '3', '4'], rows: [1, 2, 3, 4], values: { given_name: ['ann', 'bo', 'cy', 'di'] } } });
  });

  it('reads a line end whose CR and LF fall in two stream pieces', async () => {
    // Streamed in 1 MiB pieces: the file is laid out so the first piece ends between a "\r" and its "\n".
    const piece = 1 << 20;
    let text = 'id,first,last,dob,phone\r\n';
    for (let i = 0; text.length < piece - 2000; i++) text += `${i},"${'x'.repeat(900)}",Lee,,\r\n`;
    const last = `9999,"",Lee,,`;
    text += last.replace('""', `"${'y'.repeat(piece - 1 - text.length - last.length)}"`) + '\r';
    expect(text.length).toBe(piece);
    text += '\n10000,Ann,Lee,,\r\n';
    const path = writeIn(tempDir(), 'long.csv', text);
    const outcome = await readFile({ name: 'a', path }, settings, 'stream');
    expect(outcome).toEqual(await readFile({ name: 'a', path }, settings, 'thread'));
    expect(outcome).toMatchObject({ table: { ids: expect.arrayContaining(['9999', '10000']) } });
  });

  it('says why when a lone CR in a file of LF line ends puts two rows on one line', async () => {
    const path = writeIn(tempDir(), 'a.csv', `id,first,last,dob,phone\n1,Ann,Lee,,\n2,${SECRET},Ng,,\r3,Cy,Dee,,\n`);
    const error = await failure(buildRecordTable([{ name: 'a', path }], settings, 1));
    expect(error).toBeInstanceOf(MalformedRowError);
    expect(error.message).toMatch(/source "a", row 2: row has 9 fields, the header has 5 \(a field holds a line break: the file mixes line endings/);
    expect(error.message).not.toContain(SECRET);
  });
});

describe('duplicate column names', () => {
  it('refuses a column the settings use that appears twice, also after trimming, naming it', async () => {
    const dir = tempDir();
    for (const header of ['id,first,last,dob,phone,first', 'id, first,last,dob,phone,first ']) {
      const path = writeIn(dir, 'a.csv', `${header}\n1,Ann,Lee,,,${SECRET}\n`);
      for (const how of ['thread', 'stream', 'worker'] as const) {
        expect(await readFile({ name: 'a', path }, settings, how), how).toEqual({ error: { name: 'DuplicateColumnError', row: undefined, column: 'first' } });
      }
      const error = await failure(buildRecordTable([{ name: 'a', path }], settings, 1));
      expect(error).toBeInstanceOf(DuplicateColumnError);
      expect(error.message).toMatch(/source "a", column "first": column appears 2 times in the header \(fields 2, 6\)/);
    }
  });

  it('reads a file whose repeated column is one the settings do not use', async () => {
    const path = writeIn(tempDir(), 'a.csv', 'id,first,last,dob,phone,note,note,,\n1,Ann,Lee,,,x,y,,\n');
    expect(await readFile({ name: 'a', path }, settings, 'thread')).toMatchObject({ table: { ids: ['1'] } });
  });
});

describe('text encodings', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');
  const rows = 'id,first,last,dob,phone\n1,Ann,Lee,,\n\n2,"Bo\nBo",Ng,,\n3,Cy,Müller,,\n4,Di,Eve,,\n';

  it('refuses Latin-1 bytes read as UTF-8, naming source, row and column, on every path', async () => {
    const dir = tempDir();
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, latin1(rows.replace('"Bo\nBo"', 'Bo')));
    const quoted = join(dir, 'quoted.csv');
    writeFileSync(quoted, latin1(rows));
    const ndjson = join(dir, 'a.ndjson');
    writeFileSync(ndjson, latin1('{"id":"1","first":"Ann"}\n\n{"id":"2","first":"Bo"}\n{"id":"3","last":"Müller"}\n'));
    const expected = { error: { name: 'EncodingError', row: 3, column: 'last' } };
    for (const how of ['thread', 'stream', 'worker'] as const) {
      expect(await readFile({ name: 'a', path: plain }, settings, how), `quote-free ${how}`).toEqual(expected);
      expect(await readFile({ name: 'a', path: quoted }, settings, how), `quoted ${how}`).toEqual(expected);
    }
    expect(await readFile({ name: 'a', path: ndjson }, settings, 'thread')).toEqual({ error: { name: 'EncodingError', row: 3, column: undefined } });
    const error = await failure(buildRecordTable([{ name: 'lab', path: quoted }], settings, 1));
    expect(error).toBeInstanceOf(EncodingError);
    expect(error.message).toMatch(/^source "lab", row 3, column "last": .*not valid UTF-8.*encoding: 'latin1'/);
  });

  it('reads Latin-1 and Windows-1252 files when the source declares the encoding', async () => {
    const dir = tempDir();
    const utf8 = writeIn(dir, 'utf8.csv', rows.replace('Ann', 'Zoë').replace('Eve', 'O’Brien'));
    const text = rows.replace('Ann', 'Zoë').replace('Eve', 'O\u2019Brien');
    const cp1252 = join(dir, 'cp1252.csv');
    writeFileSync(cp1252, Buffer.from(new Uint8Array([...text].map((c) => (c === '\u2019' ? 0x92 : c.charCodeAt(0))))));
    const expected = await readFile({ name: 'a', path: utf8 }, settings, 'thread');
    expect(expected).toMatchObject({ table: { values: { given_name: ['zoe', 'bo bo', 'cy', 'di'], family_name: ['lee', 'ng', 'muller', 'obrien'] } } });
    for (const encoding of ['latin1', 'windows-1252', 'ISO-8859-1'] as const) {
      for (const how of ['thread', 'stream', 'worker'] as const) {
        expect(await readFile({ name: 'a', path: cp1252, encoding: encoding as 'latin1' }, settings, how), `${encoding} ${how}`).toEqual(expected);
      }
    }
    const ndjson = join(dir, 'a.ndjson');
    writeFileSync(ndjson, latin1('{"id":"1","first":"Zoë","last":"Müller","dob":"","phone":""}\n'));
    expect(await readFile({ name: 'a', path: ndjson, encoding: 'latin1' }, settings, 'thread')).toMatchObject({
      table: { values: { given_name: ['zoe'], family_name: ['muller'] } },
    });
    // A UTF-8 byte order mark means UTF-8, whatever the declared encoding.
    const bom = writeIn(dir, 'bom.csv', '\ufeff' + rows.replace('Ann', 'Zoë'));
    expect(await readFile({ name: 'a', path: bom, encoding: 'latin1' }, settings, 'thread')).toMatchObject({ table: { values: { given_name: ['zoe', 'bo bo', 'cy', 'di'] } } });
  });

  it('names the header when its bytes are invalid, and refuses UTF-16 and unknown encodings', async () => {
    const dir = tempDir();
    const header = join(dir, 'header.csv');
    writeFileSync(header, latin1('id,first,last,dob,phone,Straße\n1,Ann,Lee,,,x\n'));
    for (const how of ['thread', 'stream'] as const) {
      expect(await readFile({ name: 'a', path: header }, settings, how), how).toEqual({ error: { name: 'EncodingError', row: undefined, column: undefined } });
    }
    const utf16 = join(dir, 'utf16.csv');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,first,last,dob,phone\n1,Ann,Lee,,\n', 'utf16le')]));
    const noBom = join(dir, 'utf16-no-bom.csv');
    writeFileSync(noBom, Buffer.from('id,first,last,dob,phone\n1,Ann,Lee,,\n', 'utf16le'));
    for (const path of [utf16, noBom]) {
      const error = await failure(buildRecordTable([{ name: 'a', path }], settings, 1));
      expect(error).toBeInstanceOf(EncodingError);
      expect(error.message).toMatch(/UTF-16.*save (the file|it) as UTF-8/);
    }
    const unknown = await failure(buildRecordTable([{ name: 'a', path: header, encoding: 'ebcdic' as 'latin1' }], settings, 1));
    expect(unknown).toBeInstanceOf(SettingsError);
    expect(unknown.message).toMatch(/source "a": unsupported encoding "ebcdic"/);
  });

  it('reports an error in a row before the invalid byte first, as reading in order finds it', async () => {
    const path = join(tempDir(), 'a.csv');
    writeFileSync(path, latin1('id,first,last,dob,phone\n1,Ann,Lee,,\n1,Bo,Ng,,\n3,Cy,Müller,,\n'));
    for (const how of ['thread', 'stream', 'worker'] as const) {
      expect(await readFile({ name: 'a', path }, settings, how), how).toEqual({ error: { name: 'DuplicateRecordIdError', row: 2, column: 'id' } });
    }
  });

  it('names the row of an invalid byte in a large file read in parts, as a whole read does', async () => {
    // About 6.5 MB, the least that is cut into two parts.
    const lines = Array.from({ length: 160_000 }, (_, i) => `r${i},Ann${i % 97},Lee,1980-03-05,555-234-5678`);
    const text = 'id,first,last,dob,phone\n' + lines.join('\n') + '\n';
    const bytes = Buffer.from(text);
    const at = text.indexOf('r150000,') + 'r150000,Ann'.length;
    bytes[at] = 0xe9; // "é" in Latin-1, in the first name of row 150,001, in the second part
    const path = join(tempDir(), 'big.csv');
    writeFileSync(path, bytes);
    const error = await failure(buildRecordTable([{ name: 'a', path }], settings, 2, { parallelReadBytes: 1 << 20 }));
    expect(error).toBeInstanceOf(EncodingError);
    expect([error.row, error.column]).toEqual([150_001, 'first']);
  }, 60_000);
});

describe('files read in pieces of 1 MiB', () => {
  // About 2.5 MB: multi-byte characters fall across piece boundaries, and the control character sits in the last piece.
  const NAMES = ['Zoë', '王芳', 'Łukasz', 'Ann', 'Þóra', '😀x'];
  const rows = Array.from({ length: 80_000 }, (_, i) => ({ id: `r${i}`, first: NAMES[i % NAMES.length], last: `Lee${i % 89}`, dob: '1980-03-05', phone: '' }));
  rows[79_990].first = `${SECRET}\u0001`;
  const csvLine = (r: (typeof rows)[number]) => `${r.id},${r.first},${r.last},${r.dob},`;
  const header = 'id,first,last,dob,phone\n';
  // The last row whose first name starts before byte 1 MiB - 2 gets a 4-byte character that starts there.
  let start = Buffer.byteLength(header);
  let straddling = 0;
  for (let i = 0; start + Buffer.byteLength(`${rows[i].id},`) <= (1 << 20) - 2; i++) {
    straddling = i;
    start += Buffer.byteLength(csvLine(rows[i]) + '\n');
  }
  start -= Buffer.byteLength(csvLine(rows[straddling]) + '\n');
  rows[straddling].first = 'a'.repeat((1 << 20) - 2 - start - Buffer.byteLength(`${rows[straddling].id},`)) + '😀';

  it('reads a streamed CSV file as the whole text, and flags a control character in its last piece', async () => {
    const text = header + rows.map(csvLine).join('\n') + '\n';
    expect(Buffer.from(text).subarray((1 << 20) - 2, (1 << 20) + 2).toString()).toBe('😀');
    const path = writeIn(tempDir(), 'a.csv', text);
    const streamed = await readFile({ name: 'a', path }, settings, 'stream');
    expect(streamed).toEqual(await readFile({ name: 'a', path }, settings, 'thread'));
    expect(streamed).toMatchObject({ table: { flags: ['79991:first:control-character'] } });
  }, 30_000);

  it('reads an NDJSON file whose lines fall across pieces, and flags an escaped control character in its last piece', async () => {
    const path = writeIn(tempDir(), 'a.ndjson', rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const csv = writeIn(tempDir(), 'a.csv', header + rows.map(csvLine).join('\n') + '\n');
    const ndjson = await readFile({ name: 'a', path }, settings, 'thread');
    expect(ndjson).toEqual(await readFile({ name: 'a', path: csv }, settings, 'thread'));
    expect(ndjson).toMatchObject({ table: { flags: ['79991:first:control-character'] } });
  }, 30_000);
});

describe('NDJSON numbers', () => {
  it('takes a number as the text written, from the member JSON.parse reads', () => {
    const line = '{"note":"\\"id\\": 5, {", "nested":{"id":1,"list":[{"id":2}]}, "i\\u0064":9007199254740993 , "x":-1.50e3,"id":7}';
    expect(jsonNumberText(line, 'id')).toBe('7');
    expect(jsonNumberText(line, 'x')).toBe('-1.50e3');
    expect(jsonNumberText(line, 'note')).toBeUndefined();
    expect(jsonNumberText(line, 'absent')).toBeUndefined();
    expect(jsonNumberText('{"id": 9007199254740993}', 'id')).toBe('9007199254740993');
  });

  it('reads decimals and exponents as written, which JSON.parse would rewrite', async () => {
    const path = writeIn(tempDir(), 'a.ndjson', '{"id":1.50,"first":"Ann"}\n{"id":1.5,"first":"Bo"}\n{"id":1e3,"first":"Cy"}\n{"id":-0,"first":"Di"}\n{"id":0,"first":"Eve"}\n');
    const table = await buildRecordTable([{ name: 'a', path }], { recordId: 'id', fields: { first: 'given_name' } }, 1);
    expect(table.recordIds).toEqual(['-0', '0', '1.5', '1.50', '1e3']);
  });

  it('refuses an in-memory id number above 2^53 (its digits were lost before it came) and non-finite numbers', async () => {
    for (const [id, reason] of [
      [9007199254740993, /integer above 2\^53/],
      [Number.NaN, /not finite/],
      [Number.POSITIVE_INFINITY, /not finite/],
    ] as const) {
      const error = await failure(buildRecordTable([{ name: 'm', records: [{ id: 1, first: 'a' }, { id, first: 'b' }] }], settings, 1));
      expect(error).toBeInstanceOf(InvalidValueError);
      expect(error.message).toMatch(/source "m", row 2, column "id"/);
      expect(error.message).toMatch(reason);
    }
    const table = await buildRecordTable([{ name: 'm', records: [{ id: 9007199254740991, first: 'a' }, { id: 9007199254740993n, first: 'b' }, { id: 2.5, first: 'c' }] }], { recordId: 'id', fields: { first: 'given_name' } }, 1);
    expect(table.recordIds).toEqual(['2.5', '9007199254740991', '9007199254740993']);
  });

  it('two ids that JSON.parse would make equal are two records', async () => {
    const path = writeIn(tempDir(), 'a.ndjson', '{"id":9007199254740993,"first":"Ann"}\n{"id":9007199254740992,"first":"Bo"}\n');
    const table = await buildRecordTable([{ name: 'a', path }], { recordId: 'id', fields: { first: 'given_name' } }, 1);
    expect(table.recordIds).toEqual(['9007199254740992', '9007199254740993']);
  });
});

describe('prototype member names', () => {
  it('reads "__proto__", "constructor" and "toString" as own keys of records, and finds no column a record lacks', async () => {
    const dir = tempDir();
    const ndjson = writeIn(dir, 'a.ndjson', '{"id":"1","__proto__":"p","constructor":"c"}\n{"id":"2","__proto__":"q","constructor":"d"}\n');
    const csv = writeIn(dir, 'a.csv', 'id,__proto__,constructor\n1,p,c\n2,q,d\n');
    const records = JSON.parse('[{"id":"1","__proto__":"p","constructor":"c"},{"id":"2","__proto__":"q","constructor":"d"}]') as Record<string, string>[];
    for (const input of [{ name: 'a', path: ndjson }, { name: 'a', path: csv }, { name: 'a', records }]) {
      const rows = [];
      for await (const batch of readSource(input, ['id', '__proto__', 'constructor'])) rows.push(...batch.map((r) => r.values));
      expect(rows).toEqual([
        ['1', 'p', 'c'],
        ['2', 'q', 'd'],
      ]);
    }
    for (const column of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      const input = { name: 'm', records: [{ id: '1', first: 'Ann' }] };
      let error: unknown;
      try {
        for await (const _ of readSource(input, ['id', column])) void _;
      } catch (e) {
        error = e;
      }
      expect(error, column).toBeInstanceOf(MissingColumnError);
    }
  });

  it('reads records without a prototype', async () => {
    const record = Object.assign(Object.create(null) as Record<string, string>, { id: '1', first: 'Ann', last: 'Lee' });
    const table = await buildRecordTable([{ name: 'm', records: [record] }], { recordId: 'id', fields: { first: 'given_name', last: 'family_name' } }, 1);
    expect(table.recordIds).toEqual(['1']);
  });
});

describe('Date objects from the API', () => {
  // Each time zone in its own process (TZ is read when the process starts).
  const ZONES = ['UTC', 'Europe/London', 'Asia/Tokyo', 'Asia/Kolkata', 'America/Los_Angeles', 'America/Sao_Paulo', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
  const dist = pathToFileURL(resolve(import.meta.dirname, '../dist/read/sources.js')).href;
  const script = `
    const { dateText } = await import(${JSON.stringify(dist)});
    const dates = [
      new Date(1970, 2, 5),                 // local midnight
      new Date('1970-03-05'),               // UTC midnight (a date-only ISO string)
      new Date(Date.UTC(1970, 2, 5)),       // UTC midnight
      new Date(2018, 10, 4),                // Sao Paulo: local midnight did not exist (DST began at 00:00)
      new Date(1999, 11, 31, 23, 59),       // local time of day
      new Date(1850, 0, 1),                 // local midnight under a local mean time offset
      new Date(2000, 0, 1),                 // local midnight (Kiritimati has been UTC+14 since 1995)
      new Date('2000-01-01'),               // UTC midnight
    ];
    process.stdout.write(JSON.stringify(dates.map(dateText)));
  `;
  for (const zone of ZONES) {
    it(`reads local and UTC midnight as the day they were made for in ${zone}`, async () => {
      const out = await processOutput(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: zone }, encoding: 'utf8' });
      expect(JSON.parse(out)).toEqual(['1970-03-05', '1970-03-05', '1970-03-05', '2018-11-04', '1999-12-31', '1850-01-01', '2000-01-01', '2000-01-01']);
    });
  }

  it('normalizes a Date to the birth date the reader reads', async () => {
    const table = await buildRecordTable(
      [{ name: 'm', records: [{ id: '1', dob: new Date(1970, 2, 5) }, { id: '2', dob: new Date('1970-03-05') }, { id: '3', dob: new Date(Number.NaN) }] }],
      { recordId: 'id', fields: { dob: 'birth_date' } },
      1,
    ).catch((e: Error) => e);
    expect(table).toBeInstanceOf(InvalidValueError);
    const ok = await buildRecordTable([{ name: 'm', records: [{ id: '1', dob: new Date(1970, 2, 5) }, { id: '2', dob: new Date('1970-03-05') }] }], { recordId: 'id', fields: { dob: 'birth_date' } }, 1);
    const dob = ok.columns.birth_date;
    expect([...dob.ids].map((i) => dob.dictionary[i])).toEqual(['19700305', '19700305']);
  });
});
