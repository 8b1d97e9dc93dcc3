// The identity index through `mpi`: the command forms scripts call, their
// output files' headers, the one-line JSON summaries and the exit codes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../core/test/helpers.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
const cli = resolve(repoRoot, 'packages/cli/dist/cli.js');
const population = resolve(repoRoot, 'fixtures/population');
const dir = mkdtempSync(join(tmpdir(), 'mpi-index-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mpi = (...args: string[]) => runProcess(process.execPath, [cli, ...args]);
const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');
/** Runs a command with --json: it exits 0 and prints one JSON object. */
const json = async (...args: string[]) => {
  const run = await mpi(...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

describe('mpi index and mpi match', () => {
  const index = join(dir, 'people.db');
  // The first 150 records of each source: small enough for a quick test, with duplicates across sources.
  const sample = (name: string) => {
    const path = join(dir, `${name}.csv`);
    writeFileSync(path, lines(join(population, `${name}.csv`)).slice(0, 151).join('\n') + '\n');
    return path;
  };
  const source = (name: string) => `${name}=${sample(name)}`;
  const records = (_name: string) => 150;

  it('create, add, groups, review, decide, refine, refresh, remove, history and match work in sequence, each printing its summary', async () => {
    const created = await json('index', 'create', '--index', index, '--settings', join(population, 'settings.json'), '--source', source('lab'), '--source', source('clinic'), '--threads', '1');
    expect(created).toMatchObject({ batch: 1, added: records('lab') + records('clinic'), records: records('lab') + records('clinic') });
    expect(Object.keys(created.seconds as object)).toEqual(['read', 'score', 'cluster', 'write']);

    const added = await json('index', 'add', '--index', index, '--source', source('payer'));
    // payer is a source the model was not trained on: the add trains it again (the default policy).
    expect(added).toMatchObject({ batch: 2, added: records('payer'), refresh: { version: 2, trigger: 'new source "payer"', records: records('lab') + records('clinic') + records('payer') } });

    const groups = join(dir, 'groups.csv');
    expect(await json('index', 'groups', '--index', index, '--out', groups)).toMatchObject({ records: added.records });
    const groupRows = lines(groups);
    expect(groupRows[0]).toBe('source,record_id,identity_id');
    expect(groupRows).toHaveLength((added.records as number) + 1);

    const review = join(dir, 'review.csv');
    const reviewed = await json('index', 'review', '--index', index, '--out', review);
    expect(lines(review)[0]).toBe('source_l,record_id_l,source_r,record_id_r,match_weight,match_probability');
    expect(lines(review)).toHaveLength((reviewed.pairs as number) + 1);

    // Two records of different identities declared the same person.
    const [a, b] = [groupRows[1]!.split(','), groupRows.find((row, i) => i > 0 && row.split(',')[2] !== groupRows[1]!.split(',')[2])!.split(',')];
    const decisions = join(dir, 'decisions.csv');
    writeFileSync(decisions, `source_l,record_id_l,source_r,record_id_r,decision\n${a![0]},${a![1]},${b![0]},${b![1]},match\n`);
    expect(await json('index', 'decide', '--index', index, '--decisions', decisions)).toMatchObject({ batch: 3, decisions: 1, merged: 1 });
    // The decision as a labelled pair: a new model version, every record scored with it.
    expect(await json('index', 'refine', '--index', index)).toMatchObject({ batch: 4, model: { version: 3, labelledPairs: 1 } });
    // A refresh on request trains the model again and applies the refinement again.
    expect(await json('index', 'refresh', '--index', index)).toMatchObject({ batch: 5, refresh: { version: 4, trigger: 'requested', labelledPairs: 1 } });

    const removals = join(dir, 'remove.csv');
    writeFileSync(removals, `record_id\n${b![1]}\n`);
    expect(await json('index', 'remove', '--index', index, '--source', `${b![0]}=${removals}`)).toMatchObject({ batch: 6, removed: 1 });

    const events = join(dir, 'events.csv');
    const history = await json('index', 'history', '--index', index, '--identity', b![2]!, '--out', events);
    expect(lines(events)[0]).toBe('seq,batch,time,kind,records,identity_ids_before,identity_ids_after,evidence');
    const kinds = lines(events).slice(1).map((row) => row.split(',')[3]);
    expect(kinds).toContain('merge');
    expect(kinds).toContain('decision');
    expect(kinds).toHaveLength(history.events as number);

    const queries = join(dir, 'queries.csv');
    writeFileSync(queries, lines(join(population, 'lab.csv')).slice(0, 4).join('\n') + '\n');
    const matches = join(dir, 'matches.csv');
    const matched = await json('match', '--index', index, '--source', `lab=${queries}`, '--out', matches, '--count', '2');
    expect(matched).toMatchObject({ queries: 3 });
    expect(Object.keys(matched.latencyMs as object)).toEqual(['p50', 'p95', 'p99']);
    const matchRows = lines(matches);
    expect(matchRows[0]).toBe('source,record_id,rank,identity_id,match_probability,match_weight,grade');
    // An indexed record queried again finds its own identity first, graded certain.
    const idOf = new Map(lines(groups).slice(1).map((row) => row.split(',')).map(([s, r, id]) => [`${s}:${r}`, id]));
    for (const row of matchRows.slice(1).map((line) => line.split(',')).filter((row) => row[2] === '1')) {
      expect(row[6]).toBe('certain');
      expect(idOf.get(`${row[0]}:${row[1]}`) === row[3] || row[3] === a![2]).toBe(true);
    }
    // Nine processes, each loading the engine: seconds apiece on a loaded machine.
  }, 300_000);

  it('refuses to build over an existing index and to open a missing one, with exit code 2 and nothing on stdout', async () => {
    const again = await mpi('index', 'create', '--index', index, '--settings', join(population, 'settings.json'), '--source', source('lab'));
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/^mpi: the index file already exists/);
    const missing = await mpi('index', 'groups', '--index', join(dir, 'missing.db'), '--out', join(dir, 'g.csv'));
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
  });
});
