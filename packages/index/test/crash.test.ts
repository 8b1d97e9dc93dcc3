// kill -9 in the middle of an add: the index reopens with every committed
// batch and nothing of the interrupted one.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIndex, openIndex } from '../src/index.js';
import { byId, population, populationSettings, tempDir } from './helpers.js';

const records = population(200);

/** Runs the child until it reports being inside the second add's transaction, then kills it with SIGKILL. */
function killInsideTransaction(path: string, committed: string, interrupted: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(import.meta.dirname, 'crash-child.mjs'), path, committed, interrupted], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('in-transaction')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? done(out) : fail(new Error(`child ended with ${code ?? signal}: ${err}`))));
  });
}

describe('an add killed with SIGKILL inside its transaction', () => {
  it('leaves an index that reopens with the committed batches and none of the interrupted one', async () => {
    const dir = tempDir();
    const path = join(dir, 'crash.db');
    const reference = join(dir, 'reference.db');
    const base = { settings: populationSettings, records: { ehr: records.ehr, lab: records.lab }, threads: 1 };
    (await createIndex(path, base)).close();
    const committed = join(dir, 'payer.json');
    const interrupted = join(dir, 'clinic.json');
    writeFileSync(committed, JSON.stringify({ payer: records.payer }));
    writeFileSync(interrupted, JSON.stringify({ clinic: records.clinic }));

    const out = await killInsideTransaction(path, committed, interrupted);
    expect(out).toContain('committed');
    expect(out).not.toContain('not killed');

    const db = new Database(path, { readonly: false });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const index = openIndex(path, { threads: 1 });
    const expected = await createIndex(reference, base);
    await expected.add({ payer: records.payer });
    expect(index.size.records).toBe(records.ehr.length + records.lab.length + records.payer.length);
    expect(byId(index.groups())).toEqual(byId(expected.groups()));
    expect(Math.max(...index.history().map((event) => event.batch))).toBe(2);
    // Its stored table and keys are those of the committed batch: a match answers as the index that never saw the other.
    const query = { source: 'clinic', record: { ...records.clinic[0]!, mrn: 'query' } };
    expect(await index.match(query)).toEqual(await expected.match(query));
    expect(index.tableFrom).toBe('file');
    // And it takes the interrupted batch again as if nothing had happened.
    await index.add({ clinic: records.clinic });
    await expected.add({ clinic: records.clinic });
    expect(byId(index.groups())).toEqual(byId(expected.groups()));
    index.close();
    expected.close();
  });
});
