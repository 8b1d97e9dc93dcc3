import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, febrlDir, febrlSettings, runProcess, tempDir, writeIn } from './helpers.js';

async function mpi(args: string[]) {
  const run = await runProcess(process.execPath, [cliPath, ...args]);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the mpi CLI', () => {
  it('links two FEBRL sources, writes groups and pairs, prints a summary without record values', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify(febrlSettings('link')));
    const out = join(dir, 'groups.csv');
    const pairs = join(dir, 'pairs.csv');
    const run = await mpi([
      'link', '--settings', settings,
      '--source', `a=${join(febrlDir, 'dataset4a.csv')}`, '--source', `b=${join(febrlDir, 'dataset4b.csv')}`,
      '--out', out, '--pairs', pairs, '--threads', '2',
    ]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const groups = readFileSync(out, 'utf8').trim().split('\n');
    expect(groups[0]).toBe('source,record_id,identity_id');
    expect(groups.length).toBe(10_001);
    expect(readFileSync(pairs, 'utf8').split('\n')[0]).toBe('source_l,record_id_l,source_r,record_id_r,match_weight,match_probability');
    expect(run.stdout).toMatch(/records +10000/);
    expect(run.stdout).toMatch(/identity groups/);
    // 1 MB of input: no comparison worker is started.
    expect(run.stdout).toMatch(/compared by +this thread/);
    // Names of patients in the data never reach the terminal.
    for (const value of ['michaela', 'neumann', 'winston hills']) {
      expect(run.stdout + run.stderr).not.toContain(value);
    }
  });

  it('exits non-zero naming the source when a file is missing', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify(febrlSettings('dedupe')));
    const run = await mpi(['link', '--settings', settings, '--source', 'ehr=/no/such.csv', '--out', join(dir, 'g.csv'), '--quiet']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('source "ehr"');
  });

  it('exits non-zero on an unknown field kind', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify({ recordId: 'id', fields: { a: 'shoe_size' } }));
    const source = writeIn(dir, 'a.csv', 'id,a\n1,x\n');
    const run = await mpi(['link', '--settings', settings, '--source', `s=${source}`, '--out', join(dir, 'g.csv')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/unknown field kind/);
  });

  it('evaluates groups against a truth file', async () => {
    const dir = tempDir();
    const groups = writeIn(dir, 'g.csv', 'source,record_id,identity_id\ns,1,A\ns,2,A\ns,3,B\n');
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\ns,2,p\ns,3,p\n');
    const run = await mpi(['evaluate', '--groups', groups, '--truth', truth, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.pairwise.precision).toBe(1);
    expect(report.pairwise.recall).toBeCloseTo(1 / 3, 12);
  });

  it('refuses an empty groups or truth file instead of scoring against nothing', async () => {
    const dir = tempDir();
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\n');
    for (const groups of [writeIn(dir, 'header-only.csv', 'source,record_id,identity_id\n'), writeIn(dir, 'empty.csv', '')]) {
      const run = await mpi(['evaluate', '--groups', groups, '--truth', truth]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/groups file .* has no data rows/);
      expect(run.stdout).not.toMatch(/F1/);
    }
    const run = await mpi(['evaluate', '--groups', truth, '--truth', writeIn(dir, 'no-truth.csv', 'source,record_id,person_id\n')]);
    expect(run.stderr).toMatch(/truth file .* has no data rows/);
  });

  it('says when the scores cover only part of the records, and exits 3 (conservation failed)', async () => {
    const dir = tempDir();
    const groups = writeIn(dir, 'g.csv', 'source,record_id,identity_id\ns,1,A\n');
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\ns,2,p\n');
    const run = await mpi(['evaluate', '--groups', groups, '--truth', truth]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/records 1 \(scores cover only the records in both files\)/);
    expect(run.stdout).toMatch(/conservation FAILED \(missing 1, unexpected 0, duplicated 0\)/);
  });

  it('saves the trained model and explains two records with it, terms summing to the match weight', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify(febrlSettings('link')));
    const model = join(dir, 'model.json');
    const sources = ['--source', `a=${join(febrlDir, 'dataset4a.csv')}`, '--source', `b=${join(febrlDir, 'dataset4b.csv')}`];
    expect((await mpi(['link', '--settings', settings, ...sources, '--out', join(dir, 'g.csv'), '--model-out', model, '--quiet'])).code).toBe(0);
    const run = await mpi(['explain', '--model', model, '--settings', settings, ...sources, '--record', 'a:rec-1070-org', '--record', 'b:rec-1070-dup-0', '--json']);
    expect(run.code).toBe(0);
    const explanation = JSON.parse(run.stdout);
    const sum = explanation.priorWeight + explanation.terms.reduce((s: number, t: { weight: number; tfAdjustment: number; groupAdjustment: number }) => s + t.weight + t.tfAdjustment + t.groupAdjustment, 0);
    expect(sum).toBeCloseTo(explanation.matchWeight, 9);
    expect(explanation.matchProbability).toBeGreaterThan(0.5);
    const text = await mpi(['explain', '--model', model, '--settings', settings, ...sources, '--record', 'a:rec-1070-org', '--record', 'b:rec-1070-dup-0']);
    expect(text.stdout).toMatch(/match weight/);
    expect(text.stdout).not.toContain('michaela');
  });

  it('refuses runaway blocking before generating pairs, naming the rule, with a non-zero exit', async () => {
    const dir = tempDir();
    const settings = writeIn(
      dir,
      'settings.json',
      JSON.stringify({ ...febrlSettings('dedupe'), blockingRules: [{ kind: 'key', name: 'same state', keys: [{ column: 'state' }] }] }),
    );
    const run = await mpi(['link', '--settings', settings, '--source', `f3=${join(febrlDir, 'dataset3.csv')}`, '--out', join(dir, 'g.csv'), '--max-pairs', '100000', '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/same state/);
  });

  it('refuses a truth or groups file whose header lacks the columns, never scoring it F1 1.0000', async () => {
    const dir = tempDir();
    const rightTruth = writeIn(dir, 'truth.csv', 'source,record_id,person_id\ns,1,p\n');
    const rightGroups = writeIn(dir, 'groups.csv', 'source,record_id,identity_id\ns,1,A\n');
    const wrong = writeIn(dir, 'wrong.csv', 'src,id,pid\ns,1,p\n');
    for (const [args, what] of [
      [['--groups', rightGroups, '--truth', wrong], 'truth'],
      [['--groups', wrong, '--truth', rightTruth], 'groups'],
    ] as const) {
      const run = await mpi(['evaluate', ...args]);
      expect(run.code, what).toBe(2);
      expect(run.stderr, what).toMatch(new RegExp(`^mpi: ${what} file .* needs columns source, record_id, (person|identity)_id; the header lacks`));
      expect(run.stdout, what).toBe('');
    }
  });

  it('refuses a truth or groups file with a malformed row after a right header, naming the row and never a value', async () => {
    const dir = tempDir();
    const truth = 'source,record_id,person_id\ns,1,p\ns,2,p\n';
    const groups = 'source,record_id,identity_id\ns,1,A\ns,2,A\n';
    const bad = {
      'too few fields': 's,3\n',
      'too many fields': 's,3,secret,extra\n',
      'an unclosed quote': 's,"3,secret\n',
      'an empty record id': 's,,secret\n',
    };
    for (const [problem, row] of Object.entries(bad)) {
      for (const file of ['truth', 'groups'] as const) {
        const truthFile = writeIn(dir, 't.csv', file === 'truth' ? truth + row + 's,4,p\n' : truth);
        const groupsFile = writeIn(dir, 'g.csv', file === 'groups' ? groups + row + 's,4,A\n' : groups);
        const run = await mpi(['evaluate', '--groups', groupsFile, '--truth', truthFile, '--json']);
        expect(run.code, `${file}: ${problem}`).toBe(2);
        expect(run.stderr, `${file}: ${problem}`).toMatch(new RegExp(`^mpi: ${file} file .* (is malformed CSV|has an empty record_id) at data row 3`));
        expect(run.stderr, `${file}: ${problem}`).not.toContain('secret');
        expect(run.stdout, `${file}: ${problem}`).toBe('');
      }
    }
  });

  it('reads a truth or groups file that starts with a UTF-8 byte order mark (as spreadsheets save CSV), as a source is read', async () => {
    const dir = tempDir();
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const truth = join(dir, 't.csv');
    const groups = join(dir, 'g.csv');
    writeFileSync(truth, Buffer.concat([bom, Buffer.from('source,record_id,person_id\r\ns,1,p\r\ns,2,p\r\ns,3,q\r\n')]));
    writeFileSync(groups, Buffer.concat([bom, Buffer.from('source,record_id,identity_id\ns,1,A\ns,2,A\ns,3,B\n')]));
    const run = await mpi(['evaluate', '--groups', groups, '--truth', truth, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.conservation.ok).toBe(true);
    expect(report.records).toBe(3);
    expect(report.pairwise.f1).toBe(1);
  });

  it('refuses a truth file that is not UTF-8 (a Latin-1 id), naming the file, row and column, never the value', async () => {
    const dir = tempDir();
    const truth = join(dir, 't.csv');
    // "Müller" in Latin-1: the ü is one byte (0xFC) that is not UTF-8; read as UTF-8 it became U+FFFD silently.
    writeFileSync(truth, Buffer.concat([Buffer.from('source,record_id,person_id\ns,1,p\ns,M'), Buffer.from([0xfc]), Buffer.from('ller,p\n')]));
    const groups = writeIn(dir, 'g.csv', 'source,record_id,identity_id\ns,1,A\ns,2,A\n');
    const run = await mpi(['evaluate', '--groups', groups, '--truth', truth, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`mpi: truth file ${truth} holds bytes that are not valid UTF-8 at data row 2, column "record_id": save it as UTF-8\n`);
    expect(run.stderr).not.toMatch(/M.ller|ller/);
    expect(run.stdout).toBe('');
  });

  it('refuses, before reading anything, an output that is an input, another output, a folder or in a missing folder', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify(febrlSettings('dedupe')));
    const source = writeIn(dir, 'source.csv', readFileSync(join(febrlDir, 'dataset1.csv'), 'utf8'));
    symlinkSync(source, join(dir, 'link-to-source.csv'));
    mkdirSync(join(dir, 'folder'));
    const base = ['link', '--settings', settings, '--source', `f=${source}`, '--quiet'];
    const cases: [string[], RegExp][] = [
      [['--out', join(dir, '.', 'source.csv')], /--out names the same file as --source/],
      [['--out', join(dir, 'link-to-source.csv')], /--out names the same file as --source/],
      [['--out', join(dir, 'g.csv'), '--model-out', settings], /--model-out names the same file as --settings/],
      [['--out', join(dir, 'g.csv'), '--pairs', join(dir, 'folder', '..', 'g.csv')], /--out and --pairs name the same file/],
      [['--out', join(dir, 'folder')], /--out: names a folder, not a file/],
      [['--out', join(dir, 'g.csv'), '--pairs', join(dir, 'missing', 'p.csv')], /--pairs: its folder does not exist/],
      [['--out', '/dev/null'], /--out: names a device, pipe or socket/],
    ];
    const before = readFileSync(source, 'utf8');
    for (const [args, message] of cases) {
      const run = await mpi([...base, ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
      // The option is named, not its value.
      expect(run.stderr, args.join(' ')).not.toContain(dir);
    }
    expect(readFileSync(source, 'utf8')).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['folder', 'link-to-source.csv', 'settings.json', 'source.csv']);
  });

  it('--spreadsheet-safe prefixes formula-like ids with a quote; without it the ids are written as they are', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify({ recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date' } }));
    const source = writeIn(dir, 's.csv', 'id,first,last,dob\n=1+2,ann,smith,1970-01-01\n@cmd,ann,smith,1970-01-01\n-3,bob,jones,1980-02-02\nplain,bob,jones,1980-02-02\n');
    const run = (extra: string[]) => mpi(['link', '--settings', settings, '--source', `s=${source}`, '--out', join(dir, 'g.csv'), '--pairs', join(dir, 'p.csv'), '--all-pairs', '--quiet', ...extra]);
    const ids = (file: string) => readFileSync(join(dir, file), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[1]).sort();
    expect((await run([])).code).toBe(0);
    expect(ids('g.csv')).toEqual(['-3', '=1+2', '@cmd', 'plain']);
    expect((await run(['--spreadsheet-safe'])).code).toBe(0);
    expect(ids('g.csv')).toEqual(["'-3", "'=1+2", "'@cmd", 'plain']);
    expect(ids('p.csv').every((id) => !/^[=+\-@]/.test(id))).toBe(true);
  });

  it('--encoding reads a Latin-1 source that UTF-8 refuses, and refuses an encoding for a source not given', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify({ recordId: 'id', fields: { first: 'given_name', last: 'family_name' } }));
    const latin1 = join(dir, 'lab.csv');
    writeFileSync(latin1, Buffer.from('id,first,last\n1,Anna,M\xfcller\n2,Jo,Smith\n', 'latin1'));
    const out = join(dir, 'groups.csv');
    const utf8 = await mpi(['link', '--settings', settings, '--source', `lab=${latin1}`, '--out', out, '--quiet']);
    expect(utf8.code).toBe(2);
    expect(utf8.stderr).toMatch(/source "lab", row 1, column "last".*UTF-8/);
    expect(utf8.stderr).not.toMatch(/ller/);
    const read = await mpi(['link', '--settings', settings, '--source', `lab=${latin1}`, '--encoding', 'lab=latin1', '--out', out, '--quiet']);
    expect(read.code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
    const typo = await mpi(['link', '--settings', settings, '--source', `lab=${latin1}`, '--encoding', 'labs=latin1', '--out', join(dir, 'g2.csv'), '--quiet']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--encoding names a source that --source does not give');
  });
});
