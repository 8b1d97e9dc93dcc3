// A model refresh trains the index's model (m, u, prior, term-frequency tables,
// blocking rules) again over every indexed record, as link() trains, scores and
// clusters everything with it, and carries the identities over by the id rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildRecordTable, link, type Settings } from '@mpi/core';
import { compileVectorizer, type FellegiSunterModel } from '@mpi/scoring';
import { createIndex, openIndex, type Decision, type IdentityIndex } from '../src/index.js';
import { refinedM } from '../src/refine-m.js';
import { byId, partition, population, populationSettings, repoRoot, settingsFor, tempDir } from './helpers.js';

const records = population(300);
type Source = keyof typeof records;
const sourcesOf = (names: readonly Source[]) => names.map((name) => ({ name, records: records[name] }));
const linkOf = (names: readonly Source[]) => link({ settings: settingsFor(names) as never, sources: sourcesOf(names), threads: 1 });
/** Each record's identity id, by "source:record". */
const idOf = (index: IdentityIndex) => new Map(index.groups().flatMap((group) => group.records.map((r) => [`${r.source}:${r.recordId}`, group.id])));

describe('refreshing the model on request', () => {
  it('gives the groups and model link() gives on every indexed record; an identity whose records stay together keeps its id', async () => {
    const path = join(tempDir(), 'refresh.db');
    const index = await createIndex(path, { settings: populationSettings, records: { ehr: records.ehr }, threads: 1, modelRefresh: 'manual' });
    for (const source of ['lab', 'payer'] as const) expect((await index.add({ [source]: records[source] })).refresh).toBeUndefined();
    const before = byId(index.groups());
    const oldIdOf = idOf(index);

    const refreshed = await index.refreshModel();
    const linked = await linkOf(['ehr', 'lab', 'payer']);
    expect(partition(index.groups())).toEqual(partition(linked.groups()));
    expect(index.model.m).toEqual(linked.model.m);
    expect(index.model.u).toEqual(linked.model.u);

    // Ids: a group holding exactly an old identity's records keeps its id; every other id change is a merge or split of the refresh.
    const after = byId(index.groups());
    const newIdOf = idOf(index);
    let kept = 0;
    for (const [id, members] of Object.entries(before)) {
      const now = newIdOf.get(members[0]!)!;
      if (JSON.stringify(after[now]) !== JSON.stringify(members)) continue;
      expect(now).toBe(id);
      kept++;
    }
    expect(kept).toBeGreaterThan(Object.keys(before).length / 2);
    const events = index.history().filter((event) => event.batch === refreshed.batch);
    const mergedOrSplit = new Set(events.filter((event) => event.kind === 'merge' || event.kind === 'split').flatMap((event) => event.before));
    let changed = 0;
    for (const [record, id] of oldIdOf) {
      if (newIdOf.get(record) === id) continue;
      expect(mergedOrSplit.has(id)).toBe(true);
      changed++;
    }

    // The log: the new model version, what triggered it and what it changed.
    expect(refreshed.refresh).toMatchObject({ version: 2, trigger: 'requested', records: index.size.records, sources: ['ehr', 'lab', 'payer'], idsChanged: changed });
    expect(events[0]).toMatchObject({ kind: 'model', evidence: { version: 2, trigger: 'requested', merged: refreshed.merged, split: refreshed.split, idsChanged: changed } });

    // Stored: an index opened again holds the refreshed model and groups, and adds with them.
    const groups = byId(index.groups());
    index.close();
    const reopened = openIndex(path, { threads: 1 });
    expect(reopened.model).toEqual(linked.model);
    expect(byId(reopened.groups())).toEqual(groups);
    const summary = await reopened.add({ clinic: records.clinic });
    expect(summary.refresh).toBeUndefined();
    reopened.close();
  });

  it('works on a file from before model refreshes, which keeps its rules and refreshes only on request', async () => {
    const path = join(tempDir(), 'older.db');
    (await createIndex(path, { settings: populationSettings, records: { ehr: records.ehr }, threads: 1 })).close();
    const db = new Database(path);
    db.exec("DELETE FROM meta WHERE key IN ('given_settings', 'model_refresh', 'trained_on')");
    db.close();
    const older = openIndex(path, { threads: 1 });
    const rules = older.settings.blockingRules;
    expect((await older.add({ lab: records.lab })).refresh).toBeUndefined();
    expect((await older.refreshModel()).refresh).toMatchObject({ version: 2, rulesChanged: false, records: records.ehr.length + records.lab.length });
    expect(older.settings.blockingRules).toEqual(rules);
    older.close();
  });

  it('refuses an empty index', async () => {
    const index = await createIndex(join(tempDir(), 'empty.db'), { settings: populationSettings, records: { ehr: records.ehr.slice(0, 20) }, threads: 1 });
    await index.remove(records.ehr.slice(0, 20).map((r) => ({ source: 'ehr', recordId: r.mrn! })));
    await expect(index.refreshModel()).rejects.toMatchObject({ code: 'EMPTY_INDEX' });
    index.close();
  });
});

describe('the automatic refresh policy (the default)', () => {
  it('refreshes on an add that brings a source the model was not trained on: the groups are then link()\'s', async () => {
    const index = await createIndex(join(tempDir(), 'auto.db'), { settings: populationSettings, records: { ehr: records.ehr }, threads: 1 });
    const summary = await index.add({ lab: records.lab });
    expect(summary.refresh).toMatchObject({ version: 2, trigger: 'new source "lab"', records: records.ehr.length + records.lab.length });
    expect(partition(index.groups())).toEqual(partition((await linkOf(['ehr', 'lab'])).groups()));
    // lab is known now: more lab records (fewer than half the index) keep the model.
    expect((await index.add({ lab: records.lab.map((r) => ({ ...r, mrn: `again-${r.mrn}` })).slice(0, 10) })).refresh).toBeUndefined();
    index.close();
  });

  it('refreshes when an add grows the index to the growth factor times the records the model was trained on', async () => {
    const index = await createIndex(join(tempDir(), 'growth.db'), { settings: populationSettings, records: { ehr: records.ehr.slice(0, 100) }, threads: 1, refreshGrowth: 1.5 });
    expect((await index.add({ ehr: records.ehr.slice(100, 149) })).refresh).toBeUndefined();
    const summary = await index.add({ ehr: records.ehr.slice(149, 150) });
    expect(summary.refresh).toMatchObject({ trigger: 'index grew from 100 to 150 records (1.5x or more)', records: 150 });
    index.close();
  });

  it('leaves the model alone under "manual", by default when a model was given at build, and in a handle opened with "manual"', async () => {
    const manual = await createIndex(join(tempDir(), 'manual.db'), { settings: populationSettings, records: { ehr: records.ehr }, threads: 1, modelRefresh: 'manual' });
    const trained = manual.model;
    expect((await manual.add({ lab: records.lab })).refresh).toBeUndefined();
    expect(manual.model).toEqual(trained);
    manual.close();
    const given = await createIndex(join(tempDir(), 'given.db'), { settings: populationSettings, records: { ehr: records.ehr }, model: trained, threads: 1 });
    expect((await given.add({ lab: records.lab })).refresh).toBeUndefined();
    given.close();
    // A handle opened with `manual` over an `auto` index (a server adding records while it answers).
    const path = join(tempDir(), 'serving.db');
    (await createIndex(path, { settings: populationSettings, records: { ehr: records.ehr }, threads: 1 })).close();
    const serving = openIndex(path, { threads: 1, modelRefresh: 'manual' });
    expect((await serving.add({ lab: records.lab })).refresh).toBeUndefined();
    serving.close();
    // Opened again under the stored `auto`: lab is indexed but was never trained on, so the next add refreshes.
    const later = openIndex(path, { threads: 1 });
    const summary = await later.add({ ehr: [{ ...records.ehr[0]!, mrn: 'E-later' }] });
    expect(summary.refresh).toMatchObject({ trigger: 'new source "lab"', sources: ['ehr', 'lab'] });
    later.close();
  });

  it('refuses a policy or growth factor it does not know', async () => {
    const options = { settings: populationSettings, records: { ehr: records.ehr.slice(0, 10) }, threads: 1 };
    await expect(createIndex(join(tempDir(), 'bad.db'), { ...options, modelRefresh: 'sometimes' as never })).rejects.toMatchObject({ code: 'BAD_MODEL_REFRESH' });
    await expect(createIndex(join(tempDir(), 'bad2.db'), { ...options, refreshGrowth: 1 })).rejects.toMatchObject({ code: 'BAD_MODEL_REFRESH' });
  });
});

/** Pairs of records of the same person among the given sources (from the population's truth file). */
function truePairs(names: readonly Source[]): [Decision['left'], Decision['right']][] {
  const truth = parse(readFileSync(join(repoRoot, 'fixtures/population/truth.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  const kept = new Set(names.flatMap((source) => records[source].map((r) => `${source}:${r.mrn}`)));
  const byPerson = new Map<string, { source: string; recordId: string }[]>();
  for (const row of truth) {
    if (!kept.has(`${row.source}:${row.record_id}`)) continue;
    byPerson.set(row.person_id!, [...(byPerson.get(row.person_id!) ?? []), { source: row.source!, recordId: row.record_id! }]);
  }
  return [...byPerson.values()].filter((members) => members.length > 1).map((members) => [members[0]!, members[1]!]);
}

/** Comparison levels of labelled pairs under `model`'s comparisons. */
async function levelsOf(settings: Settings, model: FellegiSunterModel, names: readonly Source[], pairs: readonly [Decision['left'], Decision['right']][]): Promise<Uint8Array[]> {
  const table = await buildRecordTable(sourcesOf(names), settings, 1);
  const row = new Map<string, number>();
  for (let r = 0; r < table.size; r++) row.set(`${table.sources[table.source[r]!]}:${table.recordIds[r]}`, r);
  const vectorizer = compileVectorizer(table, model.comparisons);
  return pairs.map(([left, right]) => {
    const [l, r] = [row.get(`${left.source}:${left.recordId}`)!, row.get(`${right.source}:${right.recordId}`)!];
    const vector = new Uint8Array(model.comparisons.length);
    vectorizer.vectorize(Math.min(l, r), Math.max(l, r), vector, 0);
    return vector;
  });
}

describe('a refresh after reviewers\' decisions', () => {
  it('applies the refinement of m from "match" decisions again to the re-estimated m, and honours every decision', async () => {
    const names = ['ehr', 'lab', 'payer'] as const;
    const index = await createIndex(join(tempDir(), 'refined.db'), { settings: populationSettings, records: Object.fromEntries(names.map((s) => [s, records[s]])), threads: 1 });
    const labelled = truePairs(names).slice(0, 40);
    // Two records link() puts together, declared different people.
    const linked = await linkOf(names);
    const inLabelled = new Set(labelled.flat().map((r) => `${r.source}:${r.recordId}`));
    const together = linked.groups().find((group) => group.records.length >= 2 && group.records.every((r) => !inLabelled.has(`${r.source}:${r.recordId}`)))!.records;
    await index.decide([...labelled.map(([left, right]) => ({ left, right, decision: 'match' as const })), { left: together[0]!, right: together[1]!, decision: 'non-match' }]);
    await index.refineModel();

    const refreshed = await index.refreshModel();
    const levels = await levelsOf(index.settings, linked.model, names, labelled);
    expect(index.model.m).toEqual(refinedM(linked.model, levels).model.m);
    expect(index.model.m).not.toEqual(linked.model.m);
    expect(index.model.u).toEqual(linked.model.u);
    expect(refreshed.refresh).toMatchObject({ version: 3, labelledPairs: labelled.length });
    for (const [left, right] of labelled) expect(index.identityOf(left)).toBe(index.identityOf(right));
    expect(index.identityOf(together[0]!)).not.toBe(index.identityOf(together[1]!));
    index.close();
  });
});
