// --json on link and init (evaluate's is in cli.test.ts): the summary as one JSON object on stdout, without record
// values; and link's outputs: --out only when groups are wanted, at least one output asked for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMpi, febrlDir, febrlSettings, tempDir, writeIn } from './helpers.js';

const mpi = runMpi;

const dataset3 = join(febrlDir, 'dataset3.csv');
/** Values from FEBRL3's first rows: none may appear in what the CLI prints. */
const VALUES = ['mitchell', 'green', 'wallaby place', 'harley', 'mccarthy', '19560409', '1804974'];

describe('mpi link --json', () => {
  it('prints one JSON object: counts, blocking, groups, seconds per stage, flag and warning codes; no record value', async () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify(febrlSettings('dedupe')));
    const run = await mpi(['link', '--settings', settings, '--source', `f3=${dataset3}`, '--out', join(dir, 'g.csv'), '--json', '--quiet']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ command: 'link', settings: 'file', records: { total: 5000, bySource: { f3: 5000 } }, threshold: 0.5 });
    expect(summary.blocking.candidatePairs).toBe(summary.blocking.rules.reduce((n: number, r: { pairs: number }) => n + r.pairs, 0));
    expect(summary.identityGroups.count).toBeGreaterThan(0);
    expect(Object.keys(summary.seconds)).toEqual(['read', 'block', 'compare', 'train', 'score', 'cluster', 'write', 'total']);
    // FEBRL3 holds impossible birth dates: they are flagged and counted by code.
    const flagged = summary.flags.reduce((n: number, f: { count: number }) => n + f.count, 0);
    expect(flagged).toBeGreaterThan(0);
    expect(summary.flagCodes.reduce((n: number, w: { count: number }) => n + w.count, 0)).toBe(flagged);
    expect(summary.warnings).toEqual([]);
    for (const value of VALUES) expect(run.stdout + run.stderr).not.toContain(value);
  });

  it('without --settings says on stderr that the settings were inferred, and reports what was decided', async () => {
    const dir = tempDir();
    const run = await mpi(['link', '--source', `f3=${dataset3}`, '--out', join(dir, 'g.csv'), '--json', '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/no --settings given: settings inferred from the sources/);
    const summary = JSON.parse(run.stdout);
    expect(summary.settings).toBe('inferred');
    expect(summary.inferred[0]).toMatchObject({ source: 'f3', recordId: { column: 'rec_id', by: 'header' }, unplaced: [] });
    for (const value of VALUES) expect(run.stdout + run.stderr).not.toContain(value);
  });

  it('is refused with --report, which prints text on stdout too', async () => {
    const dir = tempDir();
    const run = await mpi(['link', '--source', `f3=${dataset3}`, '--out', join(dir, 'g.csv'), '--json', '--report']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--report and --json/);
  });
});

describe('mpi link outputs', () => {
  it('needs no --out when only --pairs is asked for', async () => {
    const dir = tempDir();
    const pairs = join(dir, 'pairs.csv');
    const run = await mpi(['link', '--source', `f3=${dataset3}`, '--pairs', pairs, '--quiet']);
    expect(run.code).toBe(0);
    expect(readFileSync(pairs, 'utf8').split('\n')[0]).toBe('source_l,record_id_l,source_r,record_id_r,match_weight,match_probability');
    expect(run.stdout).toMatch(/identity groups/);
  });

  it('with no output at all is a usage error naming the options, before anything is read', async () => {
    const run = await mpi(['link', '--source', 'f3=/no/such/file.csv']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/nothing to write: give --out \(groups\), --pairs, --model-out or --report-html/);
  });
});

describe('mpi init --json', () => {
  it('prints the settings and the decisions as one JSON object, and writes --out', async () => {
    const dir = tempDir();
    const source = writeIn(dir, 'a.csv', 'id,first_name,surname,notes\n1,Ann,Lee,x\n2,Bob,Ng,y\n');
    const out = join(dir, 'settings.json');
    const run = await mpi(['init', '--source', `s=${source}`, '--out', out, '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({
      command: 'init',
      out,
      settings: { recordId: 'id', fields: { first_name: 'given_name', surname: 'family_name' } },
      sources: [{ source: 's', delimiter: ',', unplaced: [{ column: 'notes', reason: 'unknown' }] }],
    });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(summary.settings);
    for (const value of ['Ann', 'Lee', 'Bob']) expect(run.stdout).not.toContain(value);
  });

  it('leaves an existing settings file as it was when inference fails', async () => {
    const dir = tempDir();
    const out = writeIn(dir, 'settings.json', '{"keep": true}\n');
    const source = writeIn(dir, 'a.csv', 'given_name\nAnn\nAnn\n');
    const run = await mpi(['init', '--source', `s=${source}`, '--out', out, '--json']);
    expect(run.code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('{"keep": true}\n');
  });
});

describe('every command', () => {
  it('prints the version with --version, as mpi --version does', async () => {
    const version = (await runMpi(['--version'])).stdout;
    for (const command of ['init', 'link', 'evaluate', 'explain']) {
      const run = await runMpi([command, '--version']);
      expect([command, run.code, run.stdout]).toEqual([command, 0, version]);
    }
  });
});
