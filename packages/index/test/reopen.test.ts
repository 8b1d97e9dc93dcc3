// An index opened again reads its normalized table and blocking keys from its
// file (stored-table.ts) instead of normalizing every record: it answers as the
// handle that never closed, a change that did not commit leaves the table of the
// batch before it, and a file without a stored table (older code) is read from
// its records once and works.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createIndex, openIndex, type IdentityIndex, type MatchQuery } from '../src/index.js';
import { byId, population, populationSettings, tempDir } from './helpers.js';

const records = population(400);

/** Clinic records as queries (the later ones are never indexed here): as they are, and with the given name misspelt. */
const queries: MatchQuery[] = [0, 5, 31, 47, 52, 58].flatMap((at, i) => {
  const record = records.clinic[at]!;
  return [
    { source: 'clinic', record: { ...record, mrn: `query-${i}` } },
    { source: 'clinic', record: { ...record, mrn: `typo-${i}`, given_name: `${record.given_name ?? ''}x` } },
  ];
});

/** A clinic record whose every blocking key is new to the index (added by the test of a failed change, and queried by all). */
const stranger = { ...records.clinic[35]!, mrn: 'C-stranger', given_name: 'Quintessa', family_name: 'Zyxwvutsr', birth_date: '2/29/1904', postcode: '00001', street_address: '1 Nowhere Lane', phone: '555.010.0199', email: 'quintessa@example.org', national_id: '900000001' };
queries.push({ source: 'clinic', record: { ...stranger, mrn: 'query-stranger' } });

/** What a match answers, whole: ids, members, weights, grades and explanations. */
const answers = (index: IdentityIndex) => index.matchAll(queries, { count: 3 });

/** An index of ehr and lab at `path`, refreshed only on request (so every change below is the one named). */
const build = (path: string, threads = 1) =>
  createIndex(path, { settings: populationSettings, records: { ehr: records.ehr, lab: records.lab }, threads, modelRefresh: 'manual' });

/** Runs SQL on the closed file (what older code, or a crash, leaves). */
function onFile(path: string, sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

/** Opens the file again, checks its matches and where its table came from (the file, or normalizing the records), and closes it. */
async function expectOpened(path: string, expected: Awaited<ReturnType<typeof answers>>, from: 'file' | 'records'): Promise<void> {
  const index = openIndex(path, { threads: 1 });
  expect(await answers(index)).toEqual(expected);
  expect(index.tableFrom).toBe(from);
  index.close();
}

const ref = (source: string, record: Record<string, string>) => ({ source, recordId: record.mrn! });

describe('an index opened again', () => {
  it('reads its table and keys from the file and answers as the handle that never closed, after adds, updates, removals, decisions and model changes', async () => {
    const path = join(tempDir(), 'kept.db');
    const kept = await build(path);
    const changes: ((index: IdentityIndex) => Promise<unknown>)[] = [
      (index) => index.add({ clinic: records.clinic.slice(0, 30) }),
      (index) => index.add({ payer: records.payer, clinic: [{ ...records.clinic[3]!, given_name: 'Zebulon' }] }),
      (index) => index.remove(records.ehr.slice(0, 4).map((record) => ref('ehr', record))),
      (index) =>
        index.decide([
          { left: ref('ehr', records.ehr[10]!), right: ref('lab', records.lab[10]!), decision: 'match' },
          { left: ref('ehr', records.ehr[11]!), right: ref('ehr', records.ehr[12]!), decision: 'non-match' },
        ]),
      (index) => index.refineModel(),
      (index) => index.refreshModel(),
      (index) => index.add({ clinic: records.clinic.slice(30, 40) }),
    ];
    const behind: number[] = [];
    for (const change of changes) {
      await change(kept);
      const reopened = openIndex(path, { threads: 1 });
      expect(await answers(reopened)).toEqual(await answers(kept));
      expect(reopened.tableFrom).toBe('file');
      expect(byId(reopened.groups())).toEqual(byId(kept.groups()));
      behind.push(reopened.tableBehind);
      reopened.close();
    }
    // Small changes (the removal, the decisions) leave the table of an earlier batch, brought up to date on open;
    // the others (5% of the records or more, or every record scored again) store it whole.
    expect(behind).toEqual([0, 0, 1, 2, 0, 0, 1]);
    // The stored table is what normalizing every record gives: a handle made to build it answers the same.
    onFile(path, "DELETE FROM meta WHERE key = 'table'");
    await expectOpened(path, await answers(kept), 'records');
    kept.close();
  });

  it('after a change that did not commit, has the table of the batch before it', async () => {
    const dir = tempDir();
    const path = join(dir, 'aborted.db');
    let armed = false;
    (await build(path)).close();
    const index = openIndex(path, {
      threads: 1,
      beforeCommit: () => {
        if (armed) throw new Error('aborted inside the transaction');
      },
    });
    await index.add({ clinic: records.clinic.slice(0, 30) });
    const before = openIndex(path, { threads: 1 });
    const expected = await answers(before);
    before.close();
    armed = true;
    const failed = { payer: records.payer, clinic: [...records.clinic.slice(30, 40), stranger] };
    await expect(index.add(failed)).rejects.toThrow('aborted inside the transaction');
    armed = false;
    await expectOpened(path, expected, 'file');

    // The handle whose change failed takes the batch again as the index that never tried it does, and stores that table.
    const reference = await build(join(dir, 'reference.db'));
    for (const batch of [{ clinic: records.clinic.slice(0, 30) }, failed]) await reference.add(batch);
    // Its keys kept those the failed change set: the stranger's key ids are set again (else its row is in no block).
    await index.add(failed);
    expect((await index.match({ source: 'clinic', record: { ...stranger, mrn: 'query' } }))[0]?.records).toEqual([{ source: 'clinic', recordId: 'C-stranger' }]);
    expect(await answers(index)).toEqual(await answers(reference));
    expect(byId(index.groups())).toEqual(byId(reference.groups()));
    index.close();
    await expectOpened(path, await answers(reference), 'file');
    reference.close();
  });

  it('stores the same table and keys whatever the thread count and input order', async () => {
    const dir = tempDir();
    const one = await build(join(dir, 'one.db'), 1);
    const reversed = await createIndex(join(dir, 'reversed.db'), {
      settings: populationSettings,
      records: { lab: [...records.lab].reverse(), ehr: [...records.ehr].reverse() },
      threads: 2,
      modelRefresh: 'manual',
    });
    await one.add({ clinic: records.clinic.slice(0, 30) });
    await reversed.add({ clinic: records.clinic.slice(0, 30).reverse() });
    one.close();
    reversed.close();
    const stored = (name: string) => {
      const db = new Database(join(dir, name), { readonly: true });
      const parts = db.prepare('SELECT name, value FROM table_parts ORDER BY name').raw().all() as [string, Buffer][];
      const manifest = db.prepare("SELECT value FROM meta WHERE key = 'table'").pluck().get();
      db.close();
      return { parts, manifest };
    };
    expect(stored('one.db').parts.length).toBeGreaterThan(0);
    // Everything but each record's row in its input (which the input order is).
    const withoutRows = ({ parts, manifest }: ReturnType<typeof stored>) => ({ parts: parts.filter(([name]) => name !== 'rows'), manifest });
    expect(withoutRows(stored('reversed.db'))).toEqual(withoutRows(stored('one.db')));
  });
});

describe('a file without a stored table', () => {
  it('of format 2 (before tables were stored) is read from its records once, stores its table, and is read from the file after', async () => {
    const dir = tempDir();
    const path = join(dir, 'old.db');
    const kept = await build(join(dir, 'kept.db'));
    (await build(path)).close();
    const old = openIndex(path, { threads: 1 });
    for (const index of [kept, old]) await index.add({ clinic: records.clinic.slice(0, 30) });
    old.close();
    // What format 2 had: no table_parts, no manifest.
    onFile(path, "DROP TABLE table_parts; DELETE FROM meta WHERE key = 'table'; UPDATE meta SET value = '2' WHERE key = 'format'");

    await expectOpened(path, await answers(kept), 'records');
    const again = openIndex(path, { threads: 1 });
    expect(await answers(again)).toEqual(await answers(kept));
    expect(again.tableFrom).toBe('file');
    // It changes as the index kept open does.
    for (const index of [kept, again]) await index.add({ payer: records.payer });
    expect(byId(again.groups())).toEqual(byId(kept.groups()));
    expect(await answers(again)).toEqual(await answers(kept));
    again.close();
    kept.close();
  });

  it('whose stored table is of another layout is read from its records, and of an earlier batch brought up to date', async () => {
    const dir = tempDir();
    const path = join(dir, 'stale.db');
    (await build(path)).close();
    const manifest = () => {
      const db = new Database(path, { readonly: true });
      const value = JSON.parse(db.prepare("SELECT value FROM meta WHERE key = 'table'").pluck().get() as string) as { layout: number; batch: number };
      db.close();
      return value;
    };
    const { layout, batch } = manifest();
    onFile(path, `UPDATE meta SET value = json_set(value, '$.layout', ${layout + 1}) WHERE key = 'table'`);
    const other = openIndex(path, { threads: 1 });
    const expected = await answers(other);
    expect(other.tableFrom).toBe('records');
    other.close();
    // The first match stored the table again, with this layout.
    expect(manifest()).toEqual(expect.objectContaining({ layout, batch }));
    // Of batch 0 (before the build): every record is changed since, and normalized into it.
    onFile(path, `UPDATE meta SET value = json_set(value, '$.batch', ${batch - 1}) WHERE key = 'table'`);
    const stale = openIndex(path, { threads: 1 });
    expect(await answers(stale)).toEqual(expected);
    expect([stale.tableFrom, stale.tableBehind]).toEqual(['file', 1]);
    stale.close();
    // Of a batch the file has not reached (no code writes that): read from the records.
    onFile(path, `UPDATE meta SET value = json_set(value, '$.batch', ${batch + 1}) WHERE key = 'table'`);
    await expectOpened(path, expected, 'records');
  });
});
