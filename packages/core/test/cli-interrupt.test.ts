import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, tempDir, writeIn } from './helpers.js';

/**
 * An interrupted `mpi link` must leave every previous output byte for byte, and
 * no temporary file. The input is generated large enough (~36k records,
 * ~190k candidate pairs with --all-pairs) that writing takes a few hundred
 * milliseconds: the test waits until writing of an output has begun (its
 * temporary file appears, or the file itself changes, as it did when outputs
 * were written in place) and only then sends the signal.
 */
const PREVIOUS = 'source,record_id,identity_id\nprevious,run,P0\n';

let inputs: string[];

beforeAll(() => {
  const dir = tempDir();
  const generated = spawnSync(
    process.execPath,
    [resolve(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', '30000', '--sources', '2', '--seed', '7', '--out', dir],
    { encoding: 'utf8' },
  );
  expect(generated.status, generated.stderr).toBe(0);
  const sources = readdirSync(dir).filter((name) => name.endsWith('.csv') && name !== 'truth.csv');
  expect(sources.length).toBe(2);
  inputs = ['--settings', join(dir, 'settings.json'), ...sources.flatMap((name) => ['--source', `${name.replace('.csv', '')}=${join(dir, name)}`])];
}, 120_000);

/** Starts `mpi link`, sends `signal` once writing `output` in `dir` has begun, and resolves with the exit code. */
function interruptWhileWriting(dir: string, output: string, signal: NodeJS.Signals, args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; sawWriting: boolean }> {
  const child = spawn(process.execPath, [cliPath, 'link', ...inputs, ...args, '--quiet', '--threads', '1']);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const temporary = new RegExp(`^\\.${output.replace('.', '\\.')}\\.\\d+-[0-9a-f]+\\.tmp$`);
  let sawWriting = false;
  const poll = setInterval(() => {
    if (sawWriting) return;
    if (!readdirSync(dir).some((name) => temporary.test(name)) && statSync(join(dir, output)).size === PREVIOUS.length) return;
    sawWriting = true;
    child.kill(signal);
  }, 2);
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, killedBy) => {
      clearInterval(poll);
      resolvePromise({ code, signal: killedBy, stderr, sawWriting });
    });
  });
}

describe('mpi link interrupted while writing', () => {
  it('SIGINT while the groups are written: exit 130, previous groups and pairs byte-identical, no temporary file', async () => {
    const dir = tempDir();
    const groups = writeIn(dir, 'groups.csv', PREVIOUS);
    const pairs = writeIn(dir, 'pairs.csv', PREVIOUS);
    const run = await interruptWhileWriting(dir, 'groups.csv', 'SIGINT', ['--out', groups, '--pairs', pairs, '--all-pairs']);
    expect(run.sawWriting).toBe(true);
    expect(readFileSync(groups, 'utf8')).toBe(PREVIOUS);
    expect(readFileSync(pairs, 'utf8')).toBe(PREVIOUS);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toBe('mpi: interrupted by SIGINT; no output was left half written\n');
    expect(readdirSync(dir).sort()).toEqual(['groups.csv', 'pairs.csv']);
  });

  it('SIGTERM while the pairs are written (the groups already staged): exit 143, both previous files kept, no temporary file', async () => {
    const dir = tempDir();
    const groups = writeIn(dir, 'groups.csv', PREVIOUS);
    const pairs = writeIn(dir, 'pairs.csv', PREVIOUS);
    const run = await interruptWhileWriting(dir, 'pairs.csv', 'SIGTERM', ['--out', groups, '--pairs', pairs, '--all-pairs']);
    expect(run.sawWriting).toBe(true);
    expect(readFileSync(pairs, 'utf8')).toBe(PREVIOUS);
    expect(readFileSync(groups, 'utf8')).toBe(PREVIOUS);
    expect(run.code, run.stderr).toBe(143);
    expect(readdirSync(dir).sort()).toEqual(['groups.csv', 'pairs.csv']);
  });

  it('a run left alone replaces both files with complete ones (the same inputs, so the interruptions above were real)', async () => {
    const dir = tempDir();
    const groups = writeIn(dir, 'groups.csv', PREVIOUS);
    const pairs = writeIn(dir, 'pairs.csv', PREVIOUS);
    const child = spawn(process.execPath, [cliPath, 'link', ...inputs, '--out', groups, '--pairs', pairs, '--all-pairs', '--quiet', '--threads', '1']);
    const run = { stdout: '', stderr: '', code: null as number | null };
    child.stdout.setEncoding('utf8').on('data', (text: string) => (run.stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (run.stderr += text));
    run.code = await new Promise((resolvePromise, reject) => child.on('error', reject).on('close', resolvePromise));
    expect(run.code, run.stderr).toBe(0);
    const records = Number(/records +(\d+)/.exec(run.stdout)?.[1]);
    const candidatePairs = Number(/candidate pairs +(\d+)/.exec(run.stdout)?.[1]);
    expect(readFileSync(groups, 'utf8').trim().split('\n').length).toBe(records + 1);
    expect(readFileSync(pairs, 'utf8').trim().split('\n').length).toBe(candidatePairs + 1);
    expect(readdirSync(dir).sort()).toEqual(['groups.csv', 'pairs.csv']);
  });
});
