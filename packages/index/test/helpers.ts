import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll } from 'vitest';
import type { IdentityIndex, IndexedIdentity } from '../src/index.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
const populationDir = resolve(repoRoot, 'fixtures/population');

/** The bundled synthetic population's settings (four sources, three date formats). */
export const populationSettings = JSON.parse(readFileSync(join(populationDir, 'settings.json'), 'utf8')) as Record<string, unknown>;

/** The population's settings with only the given sources' overrides (link() refuses overrides of sources it is not given; an index keeps them for later adds). */
export const settingsFor = (sources: readonly string[]) => ({
  ...populationSettings,
  sources: Object.fromEntries(Object.entries(populationSettings.sources as object).filter(([name]) => sources.includes(name))),
});

type Row = Record<string, string>;
const readCsv = (name: string): Row[] => parse(readFileSync(join(populationDir, name), 'utf8'), { columns: true }) as Row[];

/**
 * The records of the population's first `people` people (by the truth file's
 * person ids), as plain records by source: small and fast, with the
 * population's duplicates across and within sources.
 */
export function population(people: number): Record<'ehr' | 'lab' | 'payer' | 'clinic', Row[]> {
  const keep = new Set<string>();
  for (const row of readCsv('truth.csv')) if (Number(row.person_id.slice(1)) < people) keep.add(`${row.source}:${row.record_id}`);
  const of = (source: string) => readCsv(`${source}.csv`).filter((row) => keep.has(`${source}:${row.mrn}`));
  return { ehr: of('ehr'), lab: of('lab'), payer: of('payer'), clinic: of('clinic') };
}

const madeDirs: string[] = [];
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mpi-index-test-'));
  madeDirs.push(dir);
  return dir;
}

/** Groups as id -> sorted "source:record" list, comparable with toEqual. */
export function byId(groups: readonly IndexedIdentity[]): Record<string, string[]> {
  return Object.fromEntries(groups.map((group) => [group.id, group.records.map((r) => `${r.source}:${r.recordId}`).sort()]));
}

/** Groups as a sorted list of sorted member lists: the partition, ids aside. */
export function partition(groups: readonly { records: readonly { source: string; recordId: string }[] }[]): string[][] {
  return groups.map((group) => group.records.map((r) => `${r.source}:${r.recordId}`).sort()).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** The record refs of an index's identity with this id. */
export function membersOf(index: IdentityIndex, id: string): string[] {
  return byId(index.groups())[id] ?? [];
}
