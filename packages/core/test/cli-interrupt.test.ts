import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, runProcess, tempDir, writeIn } from './helpers.js';

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

beforeAll(async () => {
  const dir = tempDir();
  const generated = await runProcess(
    process.execPath,
    [resolve(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', '30000', '--sources', '2', '--seed', '7', '--out', dir],
    { encoding: 'utf8' },
  );
  expect(generated.status, generated.stderr).toBe(0);
  const sources = readdirSync(dir).filter((name) => name.endsWith('.csv') && name !== 'truth.csv');
  expect(sources.length).toBe(2);
  inputs = ['--settings', join(dir, 'settings.json'), ...sources.flatMap((name) => ['--source', `${name.replace('.csv', '')}=${join(dir, name)}`])];
}, 120_000);

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `mpi link` on the generated inputs; `finished` resolves when it exits. */
function startLink(args: string[]) {
  const child = spawn(process.execPath, [cliPath, 'link', ...inputs, ...args, '--quiet', '--threads', '1']);
  const run: Finished = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (text: string) => (run.stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (run.stderr += text));
  const finished = new Promise<Finished>((resolvePromise, reject) =>
    child.on('error', reject).on('close', (code) => resolvePromise({ ...run, code })),
  );
  return { child, finished };
}

/** A folder holding a previous groups.csv and pairs.csv, and the link options that write over them. */
function previousOutputs() {
  const dir = tempDir();
  const groups = writeIn(dir, 'groups.csv', PREVIOUS);
  const pairs = writeIn(dir, 'pairs.csv', PREVIOUS);
  return { dir, groups, pairs, args: ['--out', groups, '--pairs', pairs, '--all-pairs'] };
}

/** Sends `signal` to `mpi link` once writing `output` has begun, and resolves when it exits. */
async function interruptWhileWriting(dir: string, output: string, signal: NodeJS.Signals, args: string[]): Promise<Finished & { sawWriting: boolean }> {
  const { child, finished } = startLink(args);
  const temporary = new RegExp(`^\\.${output.replace('.', '\\.')}\\.\\d+-[0-9a-f]+\\.tmp$`);
  let sawWriting = false;
  const poll = setInterval(() => {
    if (sawWriting) return;
    if (!readdirSync(dir).some((name) => temporary.test(name)) && statSync(join(dir, output)).size === PREVIOUS.length) return;
    sawWriting = true;
    child.kill(signal);
  }, 2);
  const run = await finished;
  clearInterval(poll);
  return { ...run, sawWriting };
}

describe('mpi link interrupted while writing', () => {
  it.each([
    { signal: 'SIGINT' as const, output: 'groups.csv', code: 130 },
    { signal: 'SIGTERM' as const, output: 'pairs.csv', code: 143 },
  ])('$signal while $output is written: exit $code, previous groups and pairs byte-identical, no temporary file', async ({ signal, output, code }) => {
    // Interrupted during pairs.csv, the groups are already staged: they must not be published alone.
    const { dir, groups, pairs, args } = previousOutputs();
    const run = await interruptWhileWriting(dir, output, signal, args);
    expect(run.sawWriting).toBe(true);
    expect(readFileSync(groups, 'utf8')).toBe(PREVIOUS);
    expect(readFileSync(pairs, 'utf8')).toBe(PREVIOUS);
    expect(run.code, run.stderr).toBe(code);
    expect(run.stderr).toBe(`mpi: interrupted by ${signal}; no output was left half written\n`);
    expect(readdirSync(dir).sort()).toEqual(['groups.csv', 'pairs.csv']);
  });

  it('a run left alone replaces both files with complete ones (the same inputs, so the interruptions above were real)', async () => {
    const { dir, groups, pairs, args } = previousOutputs();
    const run = await startLink(args).finished;
    expect(run.code, run.stderr).toBe(0);
    const records = Number(/records +(\d+)/.exec(run.stdout)?.[1]);
    const candidatePairs = Number(/candidate pairs +(\d+)/.exec(run.stdout)?.[1]);
    expect(readFileSync(groups, 'utf8').trim().split('\n').length).toBe(records + 1);
    expect(readFileSync(pairs, 'utf8').trim().split('\n').length).toBe(candidatePairs + 1);
    expect(readdirSync(dir).sort()).toEqual(['groups.csv', 'pairs.csv']);
  });
});

describe('mpi link --engine duckdb interrupted', () => {
  it('SIGTERM while DuckDB works: exit 143, its scratch folder (work database and spill) removed, no output', async () => {
    const dir = tempDir();
    const groups = join(dir, 'groups.csv');
    const { child, finished } = startLink(['--engine', 'duckdb', '--out', groups, '--memory-limit', '200MB']);
    // The signal once DuckDB's work database exists in the scratch folder next to the output.
    const scratch = new RegExp(`^\\.groups\\.csv\\.duckdb-spill-${child.pid}$`);
    let sawScratch = false;
    const poll = setInterval(() => {
      if (sawScratch) return;
      const folder = readdirSync(dir).find((name) => scratch.test(name));
      if (folder === undefined || !readdirSync(join(dir, folder)).includes('work.duckdb')) return;
      sawScratch = true;
      child.kill('SIGTERM');
    }, 5);
    const run = await finished;
    clearInterval(poll);
    expect(sawScratch).toBe(true);
    expect(run.code, run.stderr).toBe(143);
    expect(run.stderr).toBe('mpi: interrupted by SIGTERM; no output was left half written\n');
    expect(readdirSync(dir)).toEqual([]);
  });
});
