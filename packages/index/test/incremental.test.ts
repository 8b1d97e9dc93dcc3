// Match and add touch only the candidate pairs of their records: a match blocks
// its query against the index's blocking keys held in memory and scores those
// pairs alone, and returns what blocking the whole index again returns.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createIndex, type MatchQuery } from '../src/index.js';
import { population, populationSettings, tempDir } from './helpers.js';

const records = population(300);

/** Clinic records as queries: as stored, and with the given name misspelt. */
function queries(): MatchQuery[] {
  return records.clinic.slice(0, 12).flatMap((record, i) => [
    { source: 'clinic', record: { ...record, mrn: `query-${i}` } },
    { source: 'clinic', record: { ...record, mrn: `typo-${i}`, given_name: `${record.given_name ?? ''}x` } },
  ]);
}

describe('match on the blocking keys in memory', () => {
  it('scores only the pairs blocking finds for the queries, and ranks as blocking the whole index again does', async () => {
    const index = await createIndex(join(tempDir(), 'keys.db'), { settings: populationSettings, records: { ehr: records.ehr, lab: records.lab, payer: records.payer }, threads: 1 });
    for (const query of queries()) {
      const incremental = await index.matchAll([query], { count: 10 });
      const scored = index.lastMatchPairs;
      const rebuilt = await index.matchByRebuild([query], { count: 10 });
      expect(incremental).toEqual(rebuilt);
      expect(scored).toBe(index.lastMatchPairs);
      expect(scored).toBeLessThan(index.size.records / 10);
    }
    // A batch of queries, and after an add (the keys follow the index).
    await index.add({ clinic: records.clinic.slice(20, 60) });
    const batch = queries();
    const incremental = await index.matchAll(batch, { count: 3 });
    const scored = index.lastMatchPairs;
    expect(incremental).toEqual(await index.matchByRebuild(batch, { count: 3 }));
    expect(scored).toBe(index.lastMatchPairs);
    expect(incremental.filter((candidates) => candidates.length > 0).length).toBeGreaterThan(batch.length / 2);
    index.close();
  });
});
