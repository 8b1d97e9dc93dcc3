// A source that maps fewer fields than the index's blocking rules read (a walk-in
// desk with no national id column) still adds records one at a time: its batch
// is blocked with the index's rules, the fields it lacks empty, and scores as a
// full rescore of every record would.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIndex } from '../src/index.js';
import { byId, population, populationSettings, tempDir } from './helpers.js';

const records = population(200);
const settings = { ...populationSettings, sources: { ...(populationSettings.sources as object), walkin: { fields: { national_id: 'ignore' } } } };

describe('an add from a source without a field the blocking rules use', () => {
  it('joins the record to its identity, as rescoring every record does', async () => {
    const withId: Record<string, string> = { ...records.ehr[3], mrn: 'W1' };
    const { national_id: _ssn, ...walkin } = withId;
    // A frozen model: walkin is a new source, which under the `auto` policy would train the model again over everything.
    const build = async (name: string) => createIndex(join(tempDir(), name), { settings, records: { ehr: records.ehr, lab: records.lab, payer: records.payer }, threads: 1, modelRefresh: 'manual' });
    const incremental = await build('incremental.db');
    const full = await build('full.db');
    full.rescoreAll = true;
    expect(JSON.stringify(incremental.settings.blockingRules)).toContain('national_id');
    await incremental.add({ walkin: [walkin] });
    await full.add({ walkin: [walkin] });
    expect(incremental.identityOf({ source: 'walkin', recordId: 'W1' })).toBe(incremental.identityOf({ source: 'ehr', recordId: records.ehr[3].mrn }));
    expect(byId(incremental.groups())).toEqual(byId(full.groups()));
    incremental.close();
    full.close();
  });
});
