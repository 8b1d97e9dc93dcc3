import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { spreadsheetSafe } from '../src/output/csv-output.js';
import { link, MpiError, writeGroupsCsv, writePairsCsv, type LinkResult } from '../src/index.js';
import { repoRoot, runProcess, tempDir, writeIn } from './helpers.js';

const coreDist = resolve(repoRoot, 'packages/core/dist/index.js');
const population = resolve(repoRoot, 'fixtures/population');

/** Files other than the expected ones: a temporary file left behind shows here. */
function leftovers(dir: string, expected: readonly string[]): string[] {
  return readdirSync(dir).filter((name) => !expected.includes(name));
}

/** Ids a spreadsheet would run as formulas (record ids are trimmed on reading, so tab and CR are checked on the cell function below). */
const formulaIds = ['=1+2', '+SUM(A1)', '-3', '@cmd', 'plain', 'a=b'];

async function formulaResult(): Promise<LinkResult> {
  // Two people of one family and birth year, so that every pair is a candidate and some score below 0.
  const records = formulaIds.map((id, k) => ({ id, first: k % 2 === 0 ? 'Ann' : 'Bob', last: 'Smith', dob: k % 2 === 0 ? '1970-01-01' : '1970-09-23' }));
  return link({
    settings: { recordId: 'id', mode: 'dedupe', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date' } },
    sources: [{ name: '=src', records }],
  });
}

describe('writeGroupsCsv and writePairsCsv write atomically', () => {
  let result: LinkResult;
  beforeAll(async () => {
    result = await formulaResult();
  });

  it('replace a previous file with the complete new one, keep its permissions, and leave no temporary file', async () => {
    const dir = tempDir();
    const groups = writeIn(dir, 'groups.csv', 'previous\n');
    chmodSync(groups, 0o600);
    await writeGroupsCsv(result, groups);
    const lines = readFileSync(groups, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('source,record_id,identity_id');
    expect(lines.length).toBe(formulaIds.length + 1);
    expect(statSync(groups).mode & 0o777).toBe(0o600);
    const pairs = join(dir, 'pairs.csv');
    // The third argument may still be the minimum probability (the API before options).
    expect(await writePairsCsv(result, pairs, 0)).toBe((formulaIds.length * (formulaIds.length - 1)) / 2);
    expect(leftovers(dir, ['groups.csv', 'pairs.csv'])).toEqual([]);
  });

  it('refuse a folder or a missing folder as the target with a typed error, creating nothing', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    await expect(writeGroupsCsv(result, join(dir, 'sub'))).rejects.toMatchObject({ code: 'OUTPUT_IS_FOLDER' });
    await expect(writePairsCsv(result, join(dir, 'missing', 'pairs.csv'))).rejects.toMatchObject({ code: 'OUTPUT_FOLDER_MISSING' });
    await expect(writeGroupsCsv(result, join(dir, 'sub'))).rejects.toBeInstanceOf(MpiError);
    expect(readdirSync(dir)).toEqual(['sub']);
    expect(readdirSync(join(dir, 'sub'))).toEqual([]);
  });

  it('leave the previous file as it was when the file system refuses a write midway (file-size limit)', async () => {
    // A real failing write: the child runs under `ulimit -f`, so the kernel refuses
    // the groups file past 64 KiB (EFBIG, as a full disk refuses with ENOSPC).
    // Node ignores SIGXFSZ, so the write fails instead of killing the process.
    const dir = tempDir();
    const previous = 'source,record_id,identity_id\nprevious,run,P0\n';
    const groups = writeIn(dir, 'groups.csv', previous);
    const pairs = writeIn(dir, 'pairs.csv', previous);
    const script = writeIn(
      dir,
      'write.mjs',
      `import { link, writeGroupsCsv, writePairsCsv, validateSettings } from ${JSON.stringify(coreDist)};
import { readFileSync } from 'node:fs';
const settings = validateSettings(JSON.parse(readFileSync(${JSON.stringify(join(population, 'settings.json'))}, 'utf8')));
const result = await link({ settings, sources: ['ehr', 'lab', 'payer', 'clinic'].map((name) => ({ name, path: ${JSON.stringify(population)} + '/' + name + '.csv' })), threads: 1 });
for (const [write, path] of [[writeGroupsCsv, process.argv[2]], [(r, p) => writePairsCsv(r, p, 0), process.argv[3]]]) {
  try {
    await write(result, path);
    console.log('written');
  } catch (error) {
    console.log(error.code, error.errno);
  }
}
`,
    );
    const run = await runProcess('bash', ['-c', 'ulimit -f 64 && exec "$0" "$@"', process.execPath, script, groups, pairs]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual(['OUTPUT_WRITE_FAILED EFBIG', 'OUTPUT_WRITE_FAILED EFBIG']);
    expect(readFileSync(groups, 'utf8')).toBe(previous);
    expect(readFileSync(pairs, 'utf8')).toBe(previous);
    expect(leftovers(dir, ['groups.csv', 'pairs.csv', 'write.mjs'])).toEqual([]);
  });
});

describe('spreadsheet-safe mode', () => {
  let result: LinkResult;
  beforeAll(async () => {
    result = await formulaResult();
  });

  it('prefixes a single quote to every cell OWASP lists as a formula start, and to nothing else', () => {
    for (const value of ['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(spreadsheetSafe(value)).toBe(`'${value}`);
    for (const value of ['plain', 'a=b', '1-2', "'quoted", '', ' =x']) expect(spreadsheetSafe(value)).toBe(value);
  });

  it('is off by default: ids are written byte for byte, as pipelines join on them', async () => {
    const dir = tempDir();
    await writeGroupsCsv(result, join(dir, 'groups.csv'));
    await writePairsCsv(result, join(dir, 'pairs.csv'), { minProbability: 0 });
    const groups = readFileSync(join(dir, 'groups.csv'), 'utf8');
    for (const id of formulaIds) expect(groups).toContain(`=src,${id},P`);
    const pairs = readFileSync(join(dir, 'pairs.csv'), 'utf8').trim().split('\n').slice(1);
    expect(pairs.every((line) => line.startsWith('=src,'))).toBe(true);
  });

  it('on request, neutralizes source names and record ids in groups and pairs, but not computed numbers', async () => {
    const dir = tempDir();
    await writeGroupsCsv(result, join(dir, 'groups.csv'), { spreadsheetSafe: true });
    await writePairsCsv(result, join(dir, 'pairs.csv'), { minProbability: 0, spreadsheetSafe: true });
    const groups = readFileSync(join(dir, 'groups.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    expect(groups.map(([source]) => source)).toEqual(formulaIds.map(() => "'=src"));
    expect(groups.map(([, id]) => id).sort()).toEqual(["'+SUM(A1)", "'-3", "'=1+2", "'@cmd", 'a=b', 'plain']);
    const pairs = readFileSync(join(dir, 'pairs.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    expect(pairs.length).toBe(15);
    for (const [sourceL, idL, sourceR, idR, weight, probability] of pairs) {
      expect([sourceL, sourceR]).toEqual(["'=src", "'=src"]);
      for (const id of [idL, idR]) expect(/^[=+\-@]/.test(id)).toBe(false);
      // A negative match weight stays a number a spreadsheet can sum.
      expect(Number.isFinite(Number(weight)) && Number.isFinite(Number(probability))).toBe(true);
    }
    expect(pairs.some(([, , , , weight]) => weight.startsWith('-'))).toBe(true);
  });
});
