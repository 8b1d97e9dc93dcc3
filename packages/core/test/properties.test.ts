/**
 * Properties of link() and the readers over generated inputs (fast-check): no
 * record is lost or duplicated, the groups do not depend on how the records
 * arrive, and no input, however broken, makes a reader throw anything but a
 * typed error. A failure prints fast-check's seed and the shrunk counterexample;
 * each property stops drawing new cases after its time budget, so the file stays
 * under a minute on 2 cores.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as blocking from '@mpi/blocking';
import * as scoring from '@mpi/scoring';
import { buildRecordTable, link, MpiError, type LinkOptions, type LinkResult, type PlainRecord, type RecordTable, type SourceInput } from '../src/index.js';
import {
  anyText,
  columnsArb,
  FIELD_KINDS_USED,
  populationArb,
  recordCount,
  renderingArb,
  renderSource,
  settingsOf,
  type Population,
  type Rendering,
} from './arbitraries.js';

/** The error classes the engine's packages export: the only things its readers and link() may throw. */
const TYPED_ERRORS: readonly (abstract new (...args: never[]) => Error)[] = [
  MpiError,
  ...(Object.values({ ...blocking, ...scoring }) as unknown[]).filter(
    (value): value is new (...args: never[]) => Error => typeof value === 'function' && value.prototype instanceof Error,
  ),
];
const isTyped = (error: unknown) => TYPED_ERRORS.some((Class) => error instanceof Class);
const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : `non-Error thrown: ${typeof error}`);

/**
 * The worker arrangements link() can be asked for through its options: the
 * calling thread alone (threads 1 on a small array input), and one or two
 * comparison workers (parallelBytes 0 makes every thread work whatever the input's
 * size; with two file sources and 2 threads the files are also read in workers).
 */
const THREADS: readonly Pick<LinkOptions, 'threads' | 'parallelBytes'>[] = [{ threads: 1 }, { threads: 1, parallelBytes: 0 }, { threads: 2, parallelBytes: 0 }];
const threadsArb = fc.constantFrom(...THREADS);

/** Every case's files go in a fresh directory, removed afterwards. */
async function inTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'mpi-prop-'));
  try {
    return await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each record as `source/id`, by identity group: `identityId:record,record,...`, sorted. */
function groupsOf(result: LinkResult): string[] {
  return result
    .groups()
    .map((group) => `${group.id}:${group.records.map((r) => JSON.stringify([r.source, r.recordId])).sort().join(',')}`)
    .sort();
}

/**
 * What each record was read as, by source and record id: its normalized value
 * of every field, and the columns flagged in it with their reasons. Blind to row
 * order and to how the records were handed over; sees any value read differently.
 */
function recordsRead(table: RecordTable): string[] {
  const byRow = new Map<string, number>();
  for (let r = 0; r < table.size; r++) byRow.set(`${table.source[r]}:${table.rows[r]}`, r);
  const flags = new Map<number, string[]>();
  for (const flag of table.flags) {
    const r = byRow.get(`${table.sources.indexOf(flag.source)}:${flag.row}`)!;
    flags.set(r, [...(flags.get(r) ?? []), `${flag.column} ${flag.reason}`]);
  }
  const fields = Object.keys(table.columns).sort();
  return table.recordIds
    .map((id, r) => {
      const values = fields.map((field) => `${field}=${table.columns[field].dictionary[table.columns[field].ids[r]] ?? ''}`);
      return JSON.stringify([table.sources[table.source[r]], id, values, (flags.get(r) ?? []).sort()]);
    })
    .sort();
}

/**
 * What a run came to: its groups and the records as read, or the class and code
 * of what it threw (not its message: the row it names follows the input's order,
 * as it should).
 */
type Outcome = { readonly groups: string[]; readonly records: string[] } | { readonly error: string };
async function outcome(options: LinkOptions): Promise<{ outcome: Outcome; detail: string }> {
  try {
    const result = await link(options);
    const groups = groupsOf(result);
    return { outcome: { groups, records: recordsRead(result.table) }, detail: `${groups.length} groups` };
  } catch (error) {
    return { outcome: { error: `${(error as Error)?.name} ${(error as { code?: string })?.code}` }, detail: describeError(error) };
  }
}

function linkOptions(population: Population, renderings: readonly Rendering[], dir: string): LinkOptions {
  return {
    settings: settingsOf(population),
    sources: population.sources.map((source, s) => renderSource(population, source, renderings[s % renderings.length], dir)),
  };
}

/** Budget of each property: it stops drawing cases after `ms` (and passes if none failed). */
const budget = (numRuns: number, ms: number) => ({ numRuns, interruptAfterTimeLimit: ms });

describe('link() over generated sources', () => {
  it('puts every input record in exactly one identity group, or refuses an empty source by name', async () => {
    await fc.assert(
      fc.asyncProperty(populationArb, fc.array(renderingArb, { minLength: 1, maxLength: 3 }), threadsArb, (population, renderings, threads) =>
        inTempDir(async (dir) => {
          const options = { ...linkOptions(population, renderings, dir), ...threads };
          const empty = population.sources.filter((source) => source.records.length === 0).map((source) => source.name);
          let result: LinkResult;
          try {
            result = await link(options);
          } catch (error) {
            if (empty.length > 0 && error instanceof MpiError && error.code === 'EMPTY_SOURCE') {
              expect(empty).toContain((error as MpiError & { source: string }).source);
              return;
            }
            throw new Error(`link() failed on valid input: ${describeError(error)}`, { cause: error });
          }
          expect(empty, 'a source with no records must be refused').toEqual([]);
          const expected = population.sources.flatMap((source) => source.records.map((record) => JSON.stringify([source.name, record.id])));
          const grouped = result.groups().flatMap((group) => group.records.map((r) => JSON.stringify([r.source, r.recordId])));
          // Count, no repeats, nothing unknown: the same multiset of records.
          expect(grouped.length).toBe(recordCount(population));
          expect(new Set(grouped).size).toBe(grouped.length);
          expect([...grouped].sort()).toEqual([...expected].sort());
          expect(result.clustering.groupOf.length).toBe(result.table.size);
          // Every field the settings name is read, whatever its column is called.
          expect(Object.keys(result.table.columns).sort()).toEqual(Object.values(FIELD_KINDS_USED).sort());
          if (threads.parallelBytes === 0) expect(result.workers).toBe(threads.threads);
        }),
      ),
      budget(40, 10_000),
    );
  }, 60_000);

  it('reads the same values and gives the same groups and identity ids whatever the format, row order, chunking and worker count', async () => {
    await fc.assert(
      fc.asyncProperty(populationArb, fc.array(renderingArb, { minLength: 1, maxLength: 3 }), threadsArb, (population, renderings, threads) =>
        inTempDir(async (dir) => {
          // The reference: every source an array in generated order, on the calling thread.
          const plain: Rendering = { format: 'array', order: [0], chunks: [1], crlf: false, bom: false, quoteAll: false, numericIds: false };
          const reference = await outcome({ ...linkOptions(population, [plain], dir), threads: 1 });
          const variant = await outcome({ ...linkOptions(population, renderings, dir), ...threads });
          expect(variant.outcome, `reference: ${reference.detail}; variant: ${variant.detail}`).toEqual(reference.outcome);
        }),
      ),
      budget(30, 12_000),
    );
  }, 60_000);
});

/** Expects `read` to succeed or to fail with a typed error, never with anything else. */
async function onlyTypedErrors(read: () => Promise<unknown>): Promise<void> {
  try {
    await read();
  } catch (error) {
    if (!isTyped(error)) throw new Error(`untyped error: ${describeError(error)}`, { cause: error });
  }
}

/** Settings reading the generated columns, for inputs that are anything at all. */
const readerSettingsArb = columnsArb.map((columns) =>
  settingsOf({ columns, mode: 'dedupe', people: [], sources: [] }),
);

/** Bytes a file may hold: anything, any string, or text shaped like CSV/NDJSON around the settings' columns. */
function fileContentArb(format: 'csv' | 'ndjson') {
  const line =
    format === 'csv'
      ? fc.array(fc.oneof(anyText, anyText.map((t) => `"${t}"`), fc.constantFrom('constructor', '__proto__', '"', '\u0000')), { maxLength: 5 }).map((cells) => cells.join(','))
      : fc.oneof(
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc.dictionary(fc.constantFrom('id', 'given', 'family', 'dob', 'constructor', '__proto__'), fc.jsonValue()).map((value) => JSON.stringify(value)),
          anyText,
        );
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.tuple(fc.constantFrom('', '\ufeff'), fc.array(line, { maxLength: 6 }), fc.constantFrom('\n', '\r\n', '\r')).map(([bom, lines, nl]) => bom + lines.join(nl)),
  );
}

describe('the readers on arbitrary input', () => {
  for (const format of ['csv', 'ndjson'] as const) {
    it(`throw only typed errors on any bytes read as ${format.toUpperCase()}`, async () => {
      await fc.assert(
        fc.asyncProperty(readerSettingsArb, fileContentArb(format), (settings, content) =>
          inTempDir(async (dir) => {
            const path = join(dir, `s.${format}`);
            writeFileSync(path, content);
            await onlyTypedErrors(() => buildRecordTable([{ name: 's', path, format }], settings, 1));
          }),
        ),
        budget(400, 4_000),
      );
    }, 60_000);
  }

  it('throw only typed errors on any JavaScript values as in-memory records', async () => {
    const recordArb = fc.oneof(
      fc.anything(),
      fc.dictionary(fc.constantFrom('id', 'given', 'family', 'dob', 'rec id', 'constructor', 'toString'), fc.anything()),
      fc.dictionary(fc.constantFrom('id', 'given', 'family', 'dob', 'constructor'), fc.oneof(fc.date({ noInvalidDate: false }), fc.bigInt(), fc.double(), fc.constant(Symbol('s')), fc.func(fc.anything()))),
    );
    await fc.assert(
      fc.asyncProperty(readerSettingsArb, fc.array(recordArb, { maxLength: 5 }), fc.boolean(), async (settings, records, asIterable) => {
        const source: SourceInput = { name: 's', records: asIterable ? (function* () { yield* records as PlainRecord[]; })() : (records as PlainRecord[]) };
        await onlyTypedErrors(() => buildRecordTable([source], settings, 1));
      }),
      budget(600, 4_000),
    );
  }, 60_000);
});
