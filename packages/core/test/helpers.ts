import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

export const repoRoot = resolve(import.meta.dirname, '../../..');
/** FEBRL 3 and 4, copied into the repo with their licence (fixtures/data/febrl/README.md). */
export const febrlDir = resolve(repoRoot, 'fixtures/data/febrl');
export const cliPath = resolve(repoRoot, 'packages/core/dist/cli.js');

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
export function runMpi(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
