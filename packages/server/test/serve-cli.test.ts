// `mpi serve`: refuses to start without credentials; with a token it serves,
// and SIGTERM stops it cleanly (exit 0, the index closed, the audit log written).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIndex } from '@mpi/index';
import { runProcess, tempDir } from '../../core/test/helpers.js';
import { population, populationSettings } from '../../index/test/helpers.js';

const cli = resolve(import.meta.dirname, '../../cli/dist/cli.js');
const envWithout = () => Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'MPI_API_TOKEN'));

describe('mpi serve', () => {
  it('refuses to start without MPI_API_TOKEN or --token-file (exit 2, before opening anything)', async () => {
    const run = await runProcess(process.execPath, [cli, 'serve', '--index', join(tempDir(), 'absent.db'), '--port', '0'], { env: envWithout() });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('MPI_API_TOKEN');
    expect(run.stdout).toBe('');
  });

  it('serves with a token and stops on SIGTERM with exit 0', async () => {
    const dir = tempDir();
    const records = population(40);
    const index = await createIndex(join(dir, 'people.db'), { settings: populationSettings, records: { ehr: records.ehr, lab: records.lab }, threads: 1 });
    index.close();
    const token = 'cli-test-token-0123456789';
    const child = spawn(process.execPath, [cli, 'serve', '--index', join(dir, 'people.db'), '--port', '0'], { env: { ...envWithout(), MPI_API_TOKEN: token }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /listening on (\S+)/.exec(stderr);
        if (found !== null) resolveUrl(found[1]);
      });
      child.on('exit', () => reject(new Error(`mpi serve exited: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    try {
      const refused = await fetch(`${url}/metadata`);
      const answered = await fetch(`${url}/metadata`, { headers: { authorization: `Bearer ${token}` } });
      expect([refused.status, answered.status]).toEqual([401, 200]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const text = readFileSync(join(dir, 'people.db.audit.jsonl'), 'utf8');
    expect(text.trim().split('\n').map((line) => JSON.parse(line)).map((event) => [event.who, event.status])).toEqual([[null, 401], ['env', 200]]);
    expect(text).not.toContain(token);
  });
});
