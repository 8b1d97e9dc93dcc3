import { spawn, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import type { Membership } from '../src/index.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
/** FEBRL 3 and 4, copied into the repo with their licence (fixtures/data/febrl/README.md). */
export const febrlDir = resolve(repoRoot, 'fixtures/data/febrl');
export const cliPath = resolve(repoRoot, 'packages/core/dist/cli.js');

/** A FEBRL file's truth, its records named as source `source`: the person is the number in the record id (rec-1070-org, rec-1070-dup-0). */
export function febrlTruthOf(file: string, source: string): Membership[] {
  return readFileSync(join(febrlDir, file), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const recordId = line.slice(0, line.indexOf(',')).trim();
      return { source, recordId, group: recordId.split('-')[1] };
    });
}

/** FEBRL 4's truth, dataset4a and dataset4b as sources a and b. */
export function febrl4Truth(): Membership[] {
  return (['a', 'b'] as const).flatMap((source) => febrlTruthOf(`dataset4${source}.csv`, source));
}

const madeDirs: string[] = [];
// Registered while the importing test file is collected (each file imports this module
// afresh), so the file's directories go when its tests are done. A process 'exit'
// handler would not run: the test pool ends its forks with a signal.
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh temporary directory for a test's files, removed after the test file's
 * tests (a CI machine running the suite many times should not collect thousands).
 */
export function tempDir(prefix = 'mpi-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

// Tests never run a child process synchronously (spawnSync, execFileSync, execSync): that
// blocks the test worker's event loop while the child runs, and a child that takes longer
// than vitest's 60 s RPC timeout (a CLI link or a population generation on a loaded machine)
// leaves the worker unable to answer the runner. The run then ends with "Timeout calling
// onTaskUpdate" and exits 1 although every test passed (vitest issue #8164).

/** Options of {@link runProcess}: spawn's (cwd, env, timeout, stdio, ...) plus spawnSync's `input` and `encoding`. */
export interface ProcessOptions extends SpawnOptions {
  /** Written to the child's stdin, which is then closed (it is closed at once without it). */
  input?: string | Uint8Array;
  /** How stdout and stderr are decoded; 'utf8' unless told. */
  encoding?: BufferEncoding;
}

/** How a child process ended, as spawnSync reports it. */
export interface ProcessResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end without blocking the test worker: the asynchronous spawnSync. */
export function runProcess(command: string, args: readonly string[], { input, encoding = 'utf8', ...options }: ProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    // spawn's own `timeout` ends the child with `killSignal` (SIGTERM), as spawnSync's did.
    const child = spawn(command, args, options);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (status, signal) =>
      resolvePromise({ status, signal, stdout: Buffer.concat(stdout).toString(encoding), stderr: Buffer.concat(stderr).toString(encoding) }),
    );
    // A child that exits without reading its input closes the pipe (EPIPE); spawnSync ignored that too.
    child.stdin?.on('error', () => {});
    if (input === undefined) child.stdin?.end();
    else child.stdin?.end(input);
  });
}

/** The stdout of a command that must succeed, as execFileSync returned it; rejects naming the exit and stderr otherwise. */
export async function processOutput(command: string, args: readonly string[], options?: ProcessOptions): Promise<string> {
  const run = await runProcess(command, args, options);
  if (run.status !== 0) throw new Error(`${command} exited with ${run.status ?? run.signal}: ${run.stderr}`);
  return run.stdout;
}

/** Writes a file in `dir` and returns its path. */
export function writeIn(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** FEBRL settings naming field kinds only. */
export function febrlSettings(mode: 'dedupe' | 'link', nationalId = true) {
  return {
    recordId: 'rec_id',
    mode,
    fields: {
      given_name: 'given_name',
      surname: 'family_name',
      street_number: 'street_number',
      address_1: 'street_address',
      address_2: 'text',
      suburb: 'city',
      postcode: 'postcode',
      state: 'state',
      date_of_birth: 'birth_date',
      soc_sec_id: nationalId ? 'national_id' : 'ignore',
    },
  } as const;
}

/** Runs the built `mpi` command and waits for it: exit code, stdout and stderr. */
export async function runMpi(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = await runProcess(process.execPath, [cliPath, ...args]);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
