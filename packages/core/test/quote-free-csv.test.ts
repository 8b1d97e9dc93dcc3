import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { buildRecordTable } from '../src/index.js';
import { QUOTE_FREE_BATCH_ROWS, QUOTE_FREE_MAX_BYTES, isQuoteFree, isTrimmed, quoteFreeBatches, readCsvText } from '../src/read/quote-free-csv.js';
import { BAD_BYTES } from '../src/read/source-text.js';
import { csvParserText } from '../src/read/sources.js';
import { tempDir, writeIn } from './helpers.js';

// The reader trims CSV fields; the quote-free split hands them trimmed already.
const papaparse = (text: string) => Papa.parse<string[]>(text, { skipEmptyLines: 'greedy', delimiter: ',' }).data.map((row) => row.map((field) => field.trim()));
const split = (text: string) => [...quoteFreeBatches(text)].flat();

describe('quote-free CSV', () => {
  const texts = {
    'LF with a final line break': 'id,first\n1,ann\n2,bob\n',
    'no final line break': 'id,first\n1,ann\n2,bob',
    'CRLF': 'id, first\r\n1, ann\r\n2, bob\r\n',
    'blank, whitespace-only and comma-only lines': 'id,first\n\n1,ann\n   \n , \n,,\n2,bob\n\n',
    'empty fields and spaces after commas': 'id, first, last\n1, , smith\n2,bob,\n',
    'more or fewer fields than the header (left to the reader to refuse)': 'id,first\n1,ann,extra\n2\n',
  };
  for (const [name, text] of Object.entries(texts)) {
    it(`splits rows as papaparse parses them, fields trimmed: ${name}`, () => {
      expect(split(text)).toEqual(papaparse(text));
    });
  }

  it('trims fields exactly as String.prototype.trim does, Unicode spaces included', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      if (ch === ',' || ch === '\n' || ch === '"') continue;
      expect(isTrimmed(c)).toBe(ch.trim() === '');
    }
    const text = 'id,name\n\u00a01 ,\u3000ann\u2028\n\ufeff2\t,\tbob \r\n';
    expect(split(text)).toEqual(papaparse(text));
  });

  it('hands batches of at most QUOTE_FREE_BATCH_ROWS rows', () => {
    const rows = 2 * QUOTE_FREE_BATCH_ROWS + 17;
    const text = 'id\n' + Array.from({ length: rows - 1 }, (_, i) => String(i)).join('\n');
    expect([...quoteFreeBatches(text)].map((batch) => batch.length)).toEqual([QUOTE_FREE_BATCH_ROWS, QUOTE_FREE_BATCH_ROWS, 17]);
  });

  it('leaves a file with a quote or a lone carriage return to the CSV parser, and splits mixed CRLF and LF line ends', async () => {
    const dir = tempDir();
    const plain = await readCsvText(writeIn(dir, 'plain.csv', 'id,first\r\n1,ann\r\n'));
    expect(plain).toBe('id,first\r\n1,ann\r\n');
    expect(isQuoteFree(plain!)).toBe(true);
    expect(isQuoteFree((await readCsvText(writeIn(dir, 'quoted.csv', 'id,first\n1,"ann"\n')))!)).toBe(false);
    expect(isQuoteFree((await readCsvText(writeIn(dir, 'old-mac.csv', 'id,first\r1,ann\r')))!)).toBe(false);
    expect(isQuoteFree((await readCsvText(writeIn(dir, 'lone-cr.csv', 'id,first\n1,a\rnn\n')))!)).toBe(false);
    expect(isQuoteFree((await readCsvText(writeIn(dir, 'mixed.csv', 'id,first\r\n1,ann\n2,bob\r\n')))!)).toBe(true);
    expect(QUOTE_FREE_MAX_BYTES).toBe(64 << 20);
  });

  it('splits mixed line ends as papaparse parses the text the parser path gives it ("\\r\\n" read as "\\n")', async () => {
    const text = 'id, first\r\n1, ann\n2, bob\r\n\r\n3,cy\n';
    let parserText = '';
    for await (const piece of csvParserText([text.slice(0, 12), text.slice(12)])) parserText += piece;
    expect(parserText).toBe('id, first\n1, ann\n2, bob\n\n3,cy\n');
    expect(split(text)).toEqual(papaparse(parserText));
    expect(split(text)).toEqual([['id', 'first'], ['1', 'ann'], ['2', 'bob'], ['3', 'cy']]);
  });

  it('drops the byte order mark and refuses invalid UTF-8 by cutting the text at the first bad byte', async () => {
    const dir = tempDir();
    expect(await readCsvText(writeIn(dir, 'bom.csv', '\ufeffid,first\n1,ann\n'))).toBe('id,first\n1,ann\n');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, Buffer.concat([Buffer.from('id,first\n1,M'), Buffer.from([0xfc]), Buffer.from('ller\n')]));
    expect(await readCsvText(bad)).toBe('id,first\n1,M' + BAD_BYTES);
  });

  it('reads the header and the rows of a byte range', async () => {
    const dir = tempDir();
    const path = writeIn(dir, 'a.csv', 'id,first\n1,ann\n2,bob\n3,cy\n');
    const start = 'id,first\n1,ann\n'.length;
    expect(await readCsvText(path, { headerEnd: 'id,first\n'.length, start, end: start + '2,bob\n'.length })).toBe('id,first\n2,bob\n');
  });

  it('reads a quote-free file with a BOM and CRLF into the same table as the parser path', async () => {
    const dir = tempDir();
    const settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name' } } as const;
    const plain = writeIn(dir, 'plain.csv', '\uFEFFid, first, last\r\n1, Mary Ann, Smith\r\n\r\n2, john, OBrien\r\n');
    // One quoted field sends the same rows through papaparse.
    const quoted = writeIn(dir, 'quoted.csv', '\uFEFFid, first, last\r\n1, "Mary Ann", Smith\r\n\r\n2, john, OBrien\r\n');
    const a = await buildRecordTable([{ name: 'a', path: plain }], settings);
    const b = await buildRecordTable([{ name: 'a', path: quoted }], settings);
    expect(a.recordIds).toEqual(['1', '2']);
    expect(a.columns).toEqual(b.columns);
    expect(a.rows).toEqual(b.rows);
  });
});
