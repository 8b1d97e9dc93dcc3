import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, link, type LinkResult, type PlainRecord } from '../src/index.js';
import { defaultUSampleSize } from '../src/advanced.js';
import { febrlDir, febrlSettings } from './helpers.js';

/** FEBRL rows as plain objects (the bench reads the files; here we also exercise the in-memory API). */
function febrlRecords(file: string): Record<string, string>[] {
  return parse(readFileSync(join(febrlDir, file), 'utf8'), { columns: true, trim: true, bom: true });
}

const person = (recordId: string) => /^rec-(\d+)-/.exec(recordId)![1];

function groupsById(result: LinkResult): string[] {
  return result.groups().map((g) => `${g.id}:${g.records.map((r) => `${r.source}/${r.recordId}`).join(',')}`).sort();
}

function accuracy(result: LinkResult) {
  const predicted = result.groups().flatMap((g) => g.records.map((r) => ({ ...r, group: g.id })));
  const truth = predicted.map((m) => ({ ...m, group: person(m.recordId) }));
  return evaluate(predicted, truth);
}

/** Deterministic shuffle (seeded LCG) so the test is reproducible. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('link() end to end on FEBRL4 (two sources, link mode)', () => {
  const a = febrlRecords('dataset4a.csv');
  const b = febrlRecords('dataset4b.csv');
  let oneThread: LinkResult;

  beforeAll(async () => {
    oneThread = await link({ settings: febrlSettings('link'), sources: [{ name: 'a', records: a }, { name: 'b', records: b }], threads: 1 });
  });

  it('puts every input record in exactly one identity group', () => {
    const groups = oneThread.groups();
    const seen = groups.flatMap((g) => g.records.map((r) => `${r.source}/${r.recordId}`));
    expect(seen.length).toBe(10_000);
    expect(new Set(seen).size).toBe(10_000);
  });

  it('samples at least 20,000 random pairs for u by default and records it in the model', () => {
    expect(oneThread.model.training.uSampleSize).toBe(20_000);
  });

  it('links only across sources in link mode', () => {
    for (const chunk of oneThread.pairs.chunks) {
      for (let k = 0; k < chunk.left.length; k++) {
        expect(oneThread.table.source[chunk.left[k]]).not.toBe(oneThread.table.source[chunk.right[k]]);
      }
    }
  });

  it('reaches pairwise F1 >= 0.95 with settings that only name field kinds', () => {
    const report = accuracy(oneThread);
    expect(report.pairwise.f1).toBeGreaterThanOrEqual(0.95);
    expect(report.conservation.ok).toBe(true);
  });

  it('gives identical groups and ids with 2 workers as on the calling thread, and with shuffled input order', async () => {
    const twoThreads = await link({
      settings: febrlSettings('link'),
      sources: [{ name: 'b', records: shuffled(b, 7) }, { name: 'a', records: shuffled(a, 3) }],
      threads: 2,
      // Every thread compares, whatever the machine's cores (a small input otherwise may use one).
      parallelBytes: 0,
    });
    expect(twoThreads.workers).toBe(2);
    // 1 MB of input is compared on the calling thread (see compareWorkers).
    expect(oneThread.workers).toBe(0);
    expect(groupsById(twoThreads)).toEqual(groupsById(oneThread));
    expect(Array.from(twoThreads.weights.flatMap((w) => Array.from(w)))).toEqual(Array.from(oneThread.weights.flatMap((w) => Array.from(w))));
  });

  it('explains a pair as a waterfall whose terms sum to its match weight', () => {
    const explanation = oneThread.explain({ source: 'a', recordId: 'rec-1070-org' }, { source: 'b', recordId: 'rec-1070-dup-0' });
    const sum = explanation.priorWeight + explanation.terms.reduce((s, t) => s + t.weight + t.tfAdjustment + t.groupAdjustment, 0);
    expect(sum).toBeCloseTo(explanation.matchWeight, 9);
    expect(explanation.matchProbability).toBeGreaterThan(0.5);
    expect(explanation.terms.map((t) => t.comparison)).toContain('family_name');
  });

  it('refuses to explain a record it does not have, naming the source but not the record id', () => {
    const explainUnknown = () => oneThread.explain({ source: 'a', recordId: 'rec-1070-org' }, { source: 'b', recordId: 'MRN-0042-unknown' });
    expect(explainUnknown).toThrow(expect.objectContaining({ code: 'UNKNOWN_RECORD' }));
    expect(explainUnknown).toThrow(/second record given to explain\(\) is not in source "b"/);
    expect(explainUnknown).not.toThrow(/MRN-0042/);
  });
});

describe('link() end to end on FEBRL3 (one source, dedupe)', () => {
  it('reaches pairwise F1 >= 0.90 and keeps every record', async () => {
    const records: PlainRecord[] = febrlRecords('dataset3.csv');
    const result = await link({ settings: febrlSettings('dedupe'), sources: [{ name: 'f3', records }], threads: 2 });
    const report = accuracy(result);
    expect(report.records).toBe(5000);
    expect(report.pairwise.f1).toBeGreaterThanOrEqual(0.9);
  });
});

describe('default blocking as the data grows', () => {
  it('replaces a default rule by its tighter variant once it would exceed BASE_RULE_PAIRS_PER_RECORD pairs per record', async () => {
    // 30 people born the same day whose given names share an initial: "birth date and
    // given-name initial" alone would pair all 435 of them, 14.5 pairs per record.
    const given = ['ann', 'amy', 'alice', 'adam', 'alan', 'amir', 'anya', 'aron', 'axel', 'ava'];
    const family = 'bcdfghjklmnpqrstvwxyz'.split('').map((initial) => `${initial}orvath`);
    const records: PlainRecord[] = Array.from({ length: 30 }, (_, i) => ({
      id: String(i),
      given: `${given[i % 10]}${'e'.repeat(Math.floor(i / 10))}`,
      family: family[i % family.length] + String.fromCharCode(97 + Math.floor(i / family.length)),
      dob: '1980-02-29',
    }));
    const settings = { recordId: 'id', fields: { given: 'given_name', family: 'family_name', dob: 'birth_date' } } as const;
    const result = await link({ settings, sources: [{ name: 'ehr', records }], threads: 1 });
    const names = result.blocking.rules.map((rule) => rule.name);
    expect(names).toContain('birth_date & given_name:doubleMetaphone');
    expect(names).not.toContain('birth_date & given_name:prefix:1');
    // The family-name variant stays: its blocks are small.
    expect(names).toContain('birth_date & family_name:prefix:1');
  });
});

describe('defaultUSampleSize', () => {
  it('is 2 pairs per record, at least 20,000 and at most 200,000', () => {
    expect(defaultUSampleSize(0)).toBe(20_000);
    expect(defaultUSampleSize(10_000)).toBe(20_000);
    expect(defaultUSampleSize(30_000)).toBe(60_000);
    expect(defaultUSampleSize(100_000)).toBe(200_000);
    expect(defaultUSampleSize(1_000_000)).toBe(200_000);
  });
});
