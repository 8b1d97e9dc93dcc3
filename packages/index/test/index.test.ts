// The identity index on real SQLite files: a build gives link()'s groups and
// ids, adds keep ids stable, decisions hold through later adds.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { link } from '@mpi/core';
import { createIndex, openIndex, type IdentityIndex } from '../src/index.js';
import { byId, partition, population, populationSettings, settingsFor, tempDir } from './helpers.js';

const records = population(300);
const settings = populationSettings;
const reversed = <T>(list: T[]) => [...list].reverse();

async function built(name: string, sources: ('ehr' | 'lab' | 'payer' | 'clinic')[], threads = 1, modelRefresh?: 'manual'): Promise<IdentityIndex> {
  return createIndex(join(tempDir(), name), { settings, records: Object.fromEntries(sources.map((s) => [s, records[s]])), threads, modelRefresh });
}

describe('building an index', () => {
  it('gives the same groups, with the same ids, as link() on the same input and settings', async () => {
    const index = await built('build.db', ['ehr', 'lab', 'payer']);
    const sources = (['ehr', 'lab', 'payer'] as const).map((name) => ({ name, records: records[name] }));
    const linked = await link({ settings: settingsFor(['ehr', 'lab', 'payer']) as never, sources, threads: 1 });
    expect(byId(index.groups())).toEqual(byId(linked.groups()));
    index.close();
  });

  it('uses a trained model given to it instead of training one, as link() does', async () => {
    const both = (['ehr', 'lab'] as const).map((name) => ({ name, records: records[name] }));
    const { model } = await link({ settings: settingsFor(['ehr', 'lab']) as never, sources: both, threads: 1 });
    const index = await createIndex(join(tempDir(), 'model.db'), { settings, records: { lab: records.lab }, model, threads: 1 });
    const linked = await link({ settings: settingsFor(['lab']) as never, sources: [{ name: 'lab', records: records.lab }], model, threads: 1 });
    expect(byId(index.groups())).toEqual(byId(linked.groups()));
    index.close();
  });

  it('reopens with the same groups, and an add of nothing new changes nothing', async () => {
    const dir = tempDir();
    const index = await createIndex(join(dir, 'i.db'), { settings, records: { ehr: records.ehr, lab: records.lab }, threads: 1 });
    const before = byId(index.groups());
    index.close();
    const again = openIndex(join(dir, 'i.db'), { threads: 1 });
    expect(byId(again.groups())).toEqual(before);
    const summary = await again.add({ ehr: records.ehr.slice(0, 10) });
    expect(summary).toMatchObject({ added: 0, updated: 0, created: 0, merged: 0, split: 0 });
    expect(byId(again.groups())).toEqual(before);
    again.close();
  });
});

describe('adding records', () => {
  it('gives identical ids for identical histories, whatever the input order within a batch and the thread count', async () => {
    const one = await built('one.db', ['ehr', 'lab'], 1);
    await one.add({ payer: records.payer });
    await one.add({ clinic: records.clinic });
    const two = await createIndex(join(tempDir(), 'two.db'), { settings, records: { lab: reversed(records.lab), ehr: reversed(records.ehr) }, threads: 2 });
    await two.add({ payer: reversed(records.payer) });
    await two.add({ clinic: reversed(records.clinic) });
    expect(byId(two.groups())).toEqual(byId(one.groups()));
    one.close();
    two.close();
  });

  it('gives the same groups whatever the batch sizes the same records arrive in, under a model that is not refreshed', async () => {
    // (Under the `auto` policy the batches decide when the model is trained again, and on which records.)
    const whole = await built('whole.db', ['ehr', 'lab'], 1, 'manual');
    await whole.add({ payer: records.payer, clinic: records.clinic });
    const pieces = await built('pieces.db', ['ehr', 'lab'], 1, 'manual');
    const rest = [...records.payer.map((r) => ['payer', r] as const), ...records.clinic.map((r) => ['clinic', r] as const)];
    for (let start = 0; start < rest.length; start += 97) {
      const batch: Record<string, Record<string, string>[]> = {};
      for (const [source, record] of rest.slice(start, start + 97)) (batch[source] ??= []).push(record);
      await pieces.add(batch);
    }
    expect(partition(pieces.groups())).toEqual(partition(whole.groups()));
    whole.close();
    pieces.close();
  });

  it('never renames an identity the added records do not touch, nor one they only join', async () => {
    const index = await built('touch.db', ['ehr', 'lab', 'payer']);
    const before = byId(index.groups());
    const summary = await index.add({ clinic: records.clinic });
    const after = byId(index.groups());
    const newIdOf = new Map(Object.entries(after).flatMap(([id, members]) => members.map((m) => [m, id])));
    let untouched = 0;
    let joined = 0;
    for (const [id, members] of Object.entries(before)) {
      const now = new Set(members.map((m) => newIdOf.get(m)));
      if (now.size !== 1) continue; // split
      const group = after[[...now][0]!]!;
      const others = group.filter((m) => !members.includes(m));
      if (others.some((m) => !m.startsWith('clinic:'))) continue; // merged with another identity
      expect(group[0] === undefined ? undefined : newIdOf.get(group[0])).toBe(id);
      if (others.length === 0) untouched++;
      else joined++;
    }
    expect(untouched).toBeGreaterThan(0);
    expect(joined).toBeGreaterThan(0);
    expect(summary.added).toBe(records.clinic.length);
    index.close();
  });

  it('treats a known source and record id as an update of that record, not a new one', async () => {
    const index = await built('update.db', ['ehr', 'lab']);
    const size = index.size.records;
    const changed: Record<string, string> = { ...records.ehr[0]!, phone: '(555) 010-9999' };
    const summary = await index.add({ ehr: [changed] });
    expect(summary).toMatchObject({ added: 0, updated: 1 });
    expect(index.size.records).toBe(size);
    const events = index.history(index.identityOf({ source: 'ehr', recordId: changed.mrn! })!);
    expect(events.at(-1)).toMatchObject({ kind: 'update', batch: 2, records: [{ source: 'ehr', recordId: changed.mrn }] });
    index.close();
  });

  it('removes records; an identity left with none is retired', async () => {
    const index = await built('remove.db', ['ehr', 'lab']);
    const single = index.groups().find((group) => group.records.length === 1)!;
    const summary = await index.remove(single.records);
    expect(summary).toMatchObject({ removed: 1, retired: 1 });
    expect(index.groups().find((group) => group.id === single.id)).toBeUndefined();
    expect(index.history(single.id).map((event) => event.kind)).toEqual(['create', 'remove']);
    index.close();
  });
});

describe('two handles on one index', () => {
  it('refuses a change from a handle that has not seen another handle\'s commit, and leaves the index as the other left it', async () => {
    const dir = tempDir();
    (await createIndex(join(dir, 'shared.db'), { settings, records: { ehr: records.ehr }, threads: 1 })).close();
    const first = openIndex(join(dir, 'shared.db'), { threads: 1 });
    const second = openIndex(join(dir, 'shared.db'), { threads: 1 });
    await first.add({ lab: records.lab });
    await expect(second.add({ payer: records.payer })).rejects.toMatchObject({ code: 'INDEX_CHANGED' });
    first.close();
    second.close();
    const reopened = openIndex(join(dir, 'shared.db'), { threads: 1 });
    expect(reopened.size.records).toBe(records.ehr.length + records.lab.length);
    reopened.close();
  });
});

describe('decisions', () => {
  let index: IdentityIndex;
  let pairOfPeople: { a: { source: string; recordId: string }; b: { source: string; recordId: string }; older: string; younger: string };
  beforeAll(async () => {
    index = await built('decide.db', ['ehr', 'lab']);
    const [first, second] = index.groups().filter((group) => group.records.length >= 1);
    const history = index.history();
    const createdAt = (id: string) => history.find((event) => event.kind === 'create' && event.after.includes(id))!.seq;
    const [older, younger] = createdAt(first!.id) < createdAt(second!.id) ? [first!, second!] : [second!, first!];
    pairOfPeople = { a: older.records[0]!, b: younger.records[0]!, older: older.id, younger: younger.id };
  });

  it('"match" merges two identities: the older id survives and the other resolves to it', async () => {
    const { a, b, older, younger } = pairOfPeople;
    const summary = await index.decide([{ left: b, right: a, decision: 'match' }]);
    expect(summary.merged).toBe(1);
    expect(index.identityOf(a)).toBe(older);
    expect(index.identityOf(b)).toBe(older);
    expect(index.resolve(younger)).toBe(older);
    const kinds = index.history(younger).map((event) => event.kind);
    // The survivor's history is the alias's too: both creations, then the decision and the merge it caused.
    expect(kinds).toEqual(['create', 'create', 'decision', 'merge']);
  });

  it('"non-match" splits them again, the larger part keeping the id, and both decisions hold through later adds', async () => {
    const { a, b, older } = pairOfPeople;
    await index.decide([{ left: a, right: b, decision: 'non-match' }]);
    expect(index.identityOf(a)).not.toBe(index.identityOf(b));
    const keeper = index.groups().find((group) => group.id === older)!;
    const other = index.groups().find((group) => group.id === index.identityOf(b) || group.id === index.identityOf(a))!;
    expect(keeper.records.length).toBeGreaterThanOrEqual(other === keeper ? 0 : other.records.length);
    await index.add({ payer: records.payer, clinic: records.clinic });
    expect(index.identityOf(a)).not.toBe(index.identityOf(b));
    await index.decide([{ left: a, right: b, decision: 'match' }]);
    await index.add({ payer: records.payer.slice(0, 5).map((r) => ({ ...r, email: 'changed@example.org' })) });
    expect(index.identityOf(a)).toBe(index.identityOf(b));
  });

  it('keeps each record in exactly one identity', () => {
    const all = index.groups().flatMap((group) => group.records.map((r) => `${r.source}:${r.recordId}`));
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(index.size.records);
    index.close();
  });
});

describe('match', () => {
  it('ranks the identity a known record belongs to first, graded certain, and writes nothing', async () => {
    const index = await built('match.db', ['ehr', 'lab', 'payer']);
    const known = records.ehr[3]!;
    const before = index.history().length;
    const [best, ...rest] = await index.match({ source: 'ehr', record: { ...known, mrn: 'query-1' } }, { count: 3 });
    expect(best!.identityId).toBe(index.identityOf({ source: 'ehr', recordId: known.mrn! }));
    expect(best!.grade).toBe('certain');
    expect(best!.explanation.matchWeight).toBeCloseTo(best!.matchWeight, 9);
    for (const candidate of rest) expect(candidate.matchWeight).toBeLessThanOrEqual(best!.matchWeight);
    expect(index.history().length).toBe(before);
    expect(index.size.records).toBe(records.ehr.length + records.lab.length + records.payer.length);
    index.close();
  });
});
