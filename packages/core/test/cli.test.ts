import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, febrlDir, febrlSettings, tempDir, writeIn } from './helpers.js';

function mpi(args: string[]) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the mpi CLI', () => {
  it('links two FEBRL sources, writes groups and pairs, prints a summary without record values', () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify(febrlSettings('link')));
    const out = join(dir, 'groups.csv');
    const pairs = join(dir, 'pairs.csv');
    const run = mpi([
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

  it('exits non-zero naming the source when a file is missing', () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify(febrlSettings('dedupe')));
    const run = mpi(['link', '--settings', settings, '--source', 'ehr=/no/such.csv', '--out', join(dir, 'g.csv'), '--quiet']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('source "ehr"');
  });

  it('exits non-zero on an unknown field kind', () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify({ recordId: 'id', fields: { a: 'shoe_size' } }));
    const source = writeIn(dir, 'a.csv', 'id,a\n1,x\n');
    const run = mpi(['link', '--settings', settings, '--source', `s=${source}`, '--out', join(dir, 'g.csv')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/unknown field kind/);
  });

  it('evaluates groups against a truth file', () => {
    const dir = tempDir();
    const groups = writeIn(dir, 'g.csv', 'source,record_id,identity_id\ns,1,A\ns,2,A\ns,3,B\n');
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\ns,2,p\ns,3,p\n');
    const run = mpi(['evaluate', '--groups', groups, '--truth', truth, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.pairwise.precision).toBe(1);
    expect(report.pairwise.recall).toBeCloseTo(1 / 3, 12);
  });

  it('refuses an empty groups or truth file instead of scoring against nothing', () => {
    const dir = tempDir();
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\n');
    for (const groups of [writeIn(dir, 'header-only.csv', 'source,record_id,identity_id\n'), writeIn(dir, 'empty.csv', '')]) {
      const run = mpi(['evaluate', '--groups', groups, '--truth', truth]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/groups file .* has no data rows/);
      expect(run.stdout).not.toMatch(/F1/);
    }
    const run = mpi(['evaluate', '--groups', truth, '--truth', writeIn(dir, 'no-truth.csv', 'source,record_id,person_id\n')]);
    expect(run.stderr).toMatch(/truth file .* has no data rows/);
  });

  it('says when the scores cover only part of the records, and exits non-zero', () => {
    const dir = tempDir();
    const groups = writeIn(dir, 'g.csv', 'source,record_id,identity_id\ns,1,A\n');
    const truth = writeIn(dir, 't.csv', 'source,record_id,person_id\ns,1,p\ns,2,p\n');
    const run = mpi(['evaluate', '--groups', groups, '--truth', truth]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/records 1 \(scores cover only the records in both files\)/);
    expect(run.stdout).toMatch(/conservation FAILED \(missing 1, unexpected 0, duplicated 0\)/);
  });

  it('saves the trained model and explains two records with it, terms summing to the match weight', () => {
    const dir = tempDir();
    const settings = writeIn(dir, 'settings.json', JSON.stringify(febrlSettings('link')));
    const model = join(dir, 'model.json');
    const sources = ['--source', `a=${join(febrlDir, 'dataset4a.csv')}`, '--source', `b=${join(febrlDir, 'dataset4b.csv')}`];
    expect(mpi(['link', '--settings', settings, ...sources, '--out', join(dir, 'g.csv'), '--model-out', model, '--quiet']).code).toBe(0);
    const run = mpi(['explain', '--model', model, '--settings', settings, ...sources, '--record', 'a:rec-1070-org', '--record', 'b:rec-1070-dup-0', '--json']);
    expect(run.code).toBe(0);
    const explanation = JSON.parse(run.stdout);
    const sum = explanation.priorWeight + explanation.terms.reduce((s: number, t: { weight: number; tfAdjustment: number; groupAdjustment: number }) => s + t.weight + t.tfAdjustment + t.groupAdjustment, 0);
    expect(sum).toBeCloseTo(explanation.matchWeight, 9);
    expect(explanation.matchProbability).toBeGreaterThan(0.5);
    const text = mpi(['explain', '--model', model, '--settings', settings, ...sources, '--record', 'a:rec-1070-org', '--record', 'b:rec-1070-dup-0']);
    expect(text.stdout).toMatch(/match weight/);
    expect(text.stdout).not.toContain('michaela');
  });

  it('refuses runaway blocking before generating pairs, naming the rule, with a non-zero exit', () => {
    const dir = tempDir();
    const settings = writeIn(
      dir,
      'settings.json',
      JSON.stringify({ ...febrlSettings('dedupe'), blockingRules: [{ kind: 'key', name: 'same state', keys: [{ column: 'state' }] }] }),
    );
    const run = mpi(['link', '--settings', settings, '--source', `f3=${join(febrlDir, 'dataset3.csv')}`, '--out', join(dir, 'g.csv'), '--max-pairs', '100000', '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/same state/);
  });
});
