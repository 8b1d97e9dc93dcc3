// Reviewers' "match" decisions as labelled pairs: refineModel() re-estimates m
// from them (u stays), logs the new model version and scores everything with it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildRecordTable, type Settings } from '@mpi/core';
import { compileVectorizer, type FellegiSunterModel } from '@mpi/scoring';
import { createIndex, openIndex, type Decision } from '../src/index.js';
import { byId, population, populationSettings, repoRoot, tempDir } from './helpers.js';

const people = 1500;
const records = population(people);
const sources = ['ehr', 'lab', 'payer'] as const;

/** Every pair of records of the same person (from the population's truth file), alternately in two halves. */
function truePairs(): [Decision['left'], Decision['right']][][] {
  const truth = parse(readFileSync(join(repoRoot, 'fixtures/population/truth.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
  const kept = new Set(sources.flatMap((source) => records[source].map((r) => `${source}:${r.mrn}`)));
  const byPerson = new Map<string, { source: string; recordId: string }[]>();
  for (const row of truth) {
    if (!kept.has(`${row.source}:${row.record_id}`)) continue;
    const list = byPerson.get(row.person_id!) ?? [];
    list.push({ source: row.source!, recordId: row.record_id! });
    byPerson.set(row.person_id!, list);
  }
  const halves: [Decision['left'], Decision['right']][][] = [[], []];
  let n = 0;
  for (const members of byPerson.values()) for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) halves[n++ % 2]!.push([members[i]!, members[j]!]);
  return halves;
}

/** m measured on labelled pairs: each comparison's share of each non-null level. */
async function measuredM(settings: Settings, model: FellegiSunterModel, pairs: readonly [Decision['left'], Decision['right']][]): Promise<number[][]> {
  const table = await buildRecordTable(sources.map((name) => ({ name, records: records[name] })), settings, 1);
  const row = new Map<string, number>();
  for (let r = 0; r < table.size; r++) row.set(`${table.sources[table.source[r]!]}:${table.recordIds[r]}`, r);
  const vectorizer = compileVectorizer(table, model.comparisons);
  const counts = model.m.map((levels) => levels.map(() => 0));
  const vector = new Uint8Array(model.comparisons.length);
  for (const [left, right] of pairs) {
    const [l, r] = [row.get(`${left.source}:${left.recordId}`)!, row.get(`${right.source}:${right.recordId}`)!];
    vectorizer.vectorize(Math.min(l, r), Math.max(l, r), vector, 0);
    vector.forEach((level, c) => counts[c]![level]!++);
  }
  return counts.map((levels) => {
    const present = levels.reduce((sum, n, level) => (level === 0 ? sum : sum + n), 0);
    return levels.map((n, level) => (level === 0 ? 1 : n / present));
  });
}

/** Summed absolute difference of the non-null levels' m. */
const distance = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]) =>
  a.reduce((sum, levels, c) => sum + levels.reduce((s, m, level) => (level === 0 ? s : s + Math.abs(m - b[c]![level]!)), 0), 0);

describe('refining m from decisions', () => {
  it('moves m toward the m the truth shows on other true pairs, logs the model version, and scores with it from then on', async () => {
    const path = join(tempDir(), 'refine.db');
    const index = await createIndex(path, { settings: populationSettings, records: Object.fromEntries(sources.map((s) => [s, records[s]])), threads: 1 });
    const trained = index.model;
    const [labelled, heldOut] = truePairs();
    expect(labelled!.length).toBeGreaterThan(200);
    await index.decide(labelled!.map(([left, right]) => ({ left, right, decision: 'match' })));
    const refinement = await index.refineModel();

    // m of the pairs not used as labels: the refined model is closer to it than the trained one.
    const truth = await measuredM(index.settings, trained, heldOut!);
    expect(distance(index.model.m, truth)).toBeLessThan(distance(trained.m, truth));
    expect(index.model.u).toEqual(trained.u);
    expect(refinement.model).toMatchObject({ version: 2, labelledPairs: labelled!.length });
    // Every pair was scored again: the log holds the model event, and a reopened index scores with the refined model.
    const last = index.history().filter((event) => event.batch === refinement.batch);
    expect(last[0]).toMatchObject({ kind: 'model', evidence: { version: 2, labelledPairs: labelled!.length } });
    const groups = byId(index.groups());
    index.close();
    const reopened = openIndex(path, { threads: 1 });
    expect(reopened.model.m).toEqual(index.model.m);
    expect(byId(reopened.groups())).toEqual(groups);
    const known = records.ehr[0]!;
    const [best] = await reopened.match({ source: 'ehr', record: { ...known, mrn: 'query' } });
    expect(best!.explanation.matchWeight).toBeCloseTo(best!.matchWeight, 9);
    reopened.close();
  });

  it('refuses to refine without "match" decisions', async () => {
    const index = await createIndex(join(tempDir(), 'none.db'), { settings: populationSettings, records: { ehr: records.ehr.slice(0, 50) }, threads: 1 });
    await expect(index.refineModel()).rejects.toMatchObject({ code: 'NO_DECISIONS' });
    index.close();
  });
});
