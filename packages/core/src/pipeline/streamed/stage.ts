// Steps 1 to 4 of the streamed read (docs/sql-engine.md, "Reading, streamed"):
// each source read and normalized by the in-process reader, part by part,
// appended to DuckDB and let go; the per-source checks, the canonical order,
// duplicate ids and the dictionaries then in SQL, decided by the shared code.
import { stat } from 'node:fs/promises';
import { appendColumns } from '@mpi/sql';
import { DuplicateRecordIdError } from '../../errors.js';
import { checkSourceColumns, type ColumnWarning } from '../../read/column-checks.js';
import { earliestRepeat } from '../../read/record-order.js';
import { readInWorker, shiftRows } from '../../read/read-sources.js';
import { sortedSources, tableLayout } from '../../read/record-table.js';
import { readSourceColumns, type SourceColumns, type ValueFlag } from '../../read/source-columns.js';
import { csvCuts, sourceFormat, type ByteRange, type SourceInput } from '../../read/sources.js';
import { DEFAULTS, sourceFieldPlan, type FieldKind, type Settings } from '../../settings/settings.js';
import { numberOf, rowsOf, type Connection } from './sql.js';

/**
 * CSV bytes read as one part: a part's values, dictionaries and ids are what
 * our process holds at once (about 300k records of the generated population).
 */
export const STREAM_PART_BYTES = 32 << 20;

/**
 * The records as DuckDB holds them after staging: `rid` ("row" in canonical
 * order, "source", and c0..cK, the value id of table column k or NULL), `who`
 * ("row", "source", src_row, record_id), and per column `dictv_k` (id, value),
 * numbered by first appearance in canonical order as the in-process dictionaries are.
 */
export interface StagedRecords {
  readonly size: number;
  /** Source names, sorted; "source" indexes this list. */
  readonly sources: readonly string[];
  /** Records per source. */
  readonly perSource: readonly number[];
  /** The table's columns (fields, then further value columns); column k is c{k} and dictv_{k}. */
  readonly columns: readonly string[];
  readonly fieldKinds: ReadonlyMap<string, FieldKind>;
  /** Kind of every column, further value columns included. */
  readonly columnKinds: ReadonlyMap<string, FieldKind>;
  readonly valueColumns: ReadonlyMap<string, readonly string[]>;
  /** Distinct values per column. */
  readonly distinct: readonly number[];
  readonly flags: ValueFlag[];
  readonly warnings: ColumnWarning[];
}

/** Options of {@link stageRecords}. */
export interface StageOptions {
  /** CSV bytes per part (default STREAM_PART_BYTES; tests lower it to cut small files). */
  readonly partBytes?: number;
  /** Parts of a CSV source read at once, each in a worker thread (default 1: read here, one after another). */
  readonly threads?: number;
}

/** The byte ranges a CSV source is read in, or [undefined] to read it whole. */
async function partsOf(input: SourceInput, partBytes: number): Promise<(ByteRange | undefined)[]> {
  if (!('path' in input) || (await sourceFormat(input)) !== 'csv') return [undefined];
  let size: number;
  try {
    size = (await stat(input.path)).size;
  } catch {
    return [undefined]; // Reading it reports the failure, naming the source.
  }
  const parts = Math.ceil(size / partBytes);
  if (parts < 2) return [undefined];
  const { headerEnd, cuts } = await csvCuts(input.path, parts);
  if (cuts.length === 0) return [undefined];
  const bounds = [0, ...cuts, size];
  return bounds.slice(1).map((end, k) => ({ headerEnd, start: bounds[k], end }));
}

/**
 * The parts' reads, to be awaited in order: with several threads, up to that
 * many parts are read ahead in worker threads (each a part's values, then let
 * go once appended); with one, each part is read here when its turn comes.
 */
function partReads(input: SourceInput, settings: Settings, ranges: readonly (ByteRange | undefined)[], threads: number): (() => Promise<SourceColumns>)[] {
  if (threads <= 1 || ranges.length < 2) return ranges.map((range) => () => readSourceColumns(input, settings, range));
  const started: Promise<SourceColumns>[] = [];
  const start = (p: number) => {
    if (p >= ranges.length || started[p] !== undefined) return;
    started[p] = readInWorker(input, settings, ranges[p]);
    // Awaited in turn; a failure of a part read ahead is not unhandled meanwhile.
    started[p].catch(() => {});
  };
  return ranges.map((_, p) => () => {
    for (let ahead = p; ahead < p + threads; ahead++) start(ahead);
    return started[p];
  });
}

/** The first repeated record id among the staged records of source `s` (rows within the source), as the error the in-process read raises. */
async function repeatedId(connection: Connection, s: number, name: string, settings: Settings): Promise<DuplicateRecordIdError | undefined> {
  const groups = await rowsOf(connection, `SELECT list(src_row) FROM staged WHERE "source" = ${s} GROUP BY record_id HAVING count(*) > 1`);
  const repeat = earliestRepeat(groups.map(([rows]) => (rows as { items: unknown[] }).items.map(Number)));
  return repeat && new DuplicateRecordIdError(name, repeat.row, sourceFieldPlan(settings, name).recordId, repeat.firstRow);
}

/**
 * What the per-source checks need of a part once its records are in DuckDB:
 * its flags, column counts and serial-date candidates (checkSourceColumns reads these only).
 */
function skeleton(part: SourceColumns): SourceColumns {
  return { ...part, recordIds: [], rows: new Uint32Array(0), fields: [] };
}

/**
 * Reads every source into DuckDB (steps 1 to 4): the records never sit in our
 * process all at once, only one part's. Errors are those of the in-process
 * read: a part's own (a bad row, a repeated id inside it) and, across parts,
 * the first repeated id in reading order.
 */
export async function stageRecords(connection: Connection, inputs: readonly SourceInput[], settings: Settings, options: StageOptions = {}): Promise<StagedRecords> {
  const sorted = sortedSources(inputs);
  const { fieldKinds, valueColumns, tableColumns, columnKinds } = tableLayout(settings, sorted);
  const failOnInvalid = (settings.invalidValues ?? DEFAULTS.invalidValues) === 'error';
  const columnIndex = new Map(tableColumns.map((column, k) => [column, k]));
  const keys = tableColumns.map((_, k) => `k${k}`);
  await connection.run(`CREATE OR REPLACE TABLE staged ("source" USMALLINT, src_row UINTEGER, record_id VARCHAR${keys.map((key) => `, ${key} UINTEGER`).join('')})`);
  for (const k of tableColumns.keys()) await connection.run(`CREATE OR REPLACE TABLE part_values_${k} ("key" UINTEGER, "value" VARCHAR)`);
  const keyOffsets = new Array<number>(tableColumns.length).fill(0);
  const flags: ValueFlag[] = [];
  const warnings: ColumnWarning[] = [];
  const perSource: number[] = [];
  for (const [s, input] of sorted.entries()) {
    const skeletons: SourceColumns[] = [];
    let offset = 0;
    const ranges = await partsOf(input, options.partBytes ?? STREAM_PART_BYTES);
    const reads = partReads(input, settings, ranges, options.threads ?? 1);
    for (const [p, read] of reads.entries()) {
      let part: SourceColumns;
      try {
        part = shiftRows(await read(), offset);
      } catch (error) {
        // A later part's error counts rows from the part's start, and a repeated id across parts
        // comes first in a single pass: the source up to this part's end, read as one, fails as
        // the in-process read does (holding that much of the source, on this error path only).
        if (p > 0) await readSourceColumns(input, settings, { ...ranges[p]!, start: 0 });
        throw error;
      }
      await appendPart(connection, s, part, keyOffsets, columnIndex);
      offset += part.recordIds.length;
      skeletons.push(skeleton(part));
    }
    perSource.push(offset);
    if (skeletons.length > 1) {
      const repeat = await repeatedId(connection, s, input.name, settings);
      if (repeat) throw repeat;
    }
    warnings.push(...checkSourceColumns(input.name, skeletons, failOnInvalid));
    await dropRejectedSerials(connection, s, skeletons, warnings, columnIndex);
    // One by one: a spread of a part's many flags overflows the call stack.
    for (const part of skeletons) for (const flag of part.flags) flags.push(flag);
  }
  const size = perSource.reduce((a, b) => a + b, 0);
  // Canonical order: sources by name (their index), then record id.
  await connection.run(`CREATE OR REPLACE TABLE canon AS SELECT CAST(row_number() OVER (ORDER BY "source", record_id) - 1 AS UINTEGER) AS "row", * FROM staged`);
  await connection.run('DROP TABLE staged');
  const distinct: number[] = [];
  for (const [k, key] of keys.entries()) {
    // Each part key's first row, then each value's: numbered by first appearance in canonical order, as the in-process dictionaries are.
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE first_keys AS SELECT f."key", f.first, p."value" FROM (SELECT ${key} AS "key", min("row") AS first FROM canon WHERE ${key} IS NOT NULL GROUP BY ${key}) f JOIN part_values_${k} p USING ("key")`,
    );
    await connection.run(`DROP TABLE part_values_${k}`);
    await connection.run(
      `CREATE OR REPLACE TABLE dictv_${k} AS SELECT CAST(row_number() OVER (ORDER BY first) AS UINTEGER) AS id, "value" FROM (SELECT "value", min(first) AS first FROM first_keys GROUP BY "value")`,
    );
    await connection.run(`CREATE OR REPLACE TEMP TABLE key_ids_${k} AS SELECT f."key", d.id FROM first_keys f JOIN dictv_${k} d USING ("value")`);
    await connection.run('DROP TABLE first_keys');
    distinct.push(await numberOf(connection, `SELECT count(*) FROM dictv_${k}`));
  }
  const ids = keys.map((_, k) => `d${k}.id AS c${k}`);
  const joins = keys.map((key, k) => `LEFT JOIN key_ids_${k} d${k} ON d${k}."key" = t.${key}`);
  await connection.run(`CREATE OR REPLACE TABLE rid AS SELECT t."row", t."source"${ids.map((id) => `, ${id}`).join('')} FROM canon t ${joins.join(' ')}`);
  for (const k of keys.keys()) await connection.run(`DROP TABLE key_ids_${k}`);
  await connection.run('CREATE OR REPLACE TABLE who AS SELECT "row", "source", src_row, record_id FROM canon');
  await connection.run('DROP TABLE canon');
  return { size, sources: sorted.map((input) => input.name), perSource, columns: tableColumns, fieldKinds, columnKinds, valueColumns, distinct, flags, warnings };
}

/**
 * Appends one part to `staged` dictionary-encoded: per table column, the part's
 * dictionary to `part_values_k` (each distinct value converted to a DuckDB
 * string once) and each record's key into it, a number (NULL when missing);
 * the keys of column k run on from `keyOffsets[k]` so they stay distinct across
 * parts. Appending every value as a string cost about half of normalizing it.
 */
async function appendPart(connection: Connection, s: number, part: SourceColumns, keyOffsets: number[], columnIndex: ReadonlyMap<string, number>): Promise<void> {
  const byColumn: (SourceColumns['fields'][number] | undefined)[] = new Array(keyOffsets.length).fill(undefined);
  const offsets = [...keyOffsets];
  for (const field of part.fields) {
    const k = columnIndex.get(field.field)!;
    byColumn[k] = field;
    const values = await connection.createAppender(`part_values_${k}`);
    // Id 0 is "missing" and has no value.
    appendColumns(values, field.dictionary.length - 1, (column, id) => (column === 0 ? offsets[k] + id + 1 : field.dictionary[id + 1]));
    values.closeSync();
    keyOffsets[k] += field.dictionary.length;
  }
  const appender = await connection.createAppender('staged');
  appendColumns(appender, part.recordIds.length, (column, r) => {
    if (column === 0) return s;
    if (column === 1) return part.rows[r];
    if (column === 2) return part.recordIds[r];
    const field = byColumn[column - 3];
    const id = field === undefined ? 0 : field.ids[r];
    return id === 0 ? null : offsets[column - 3] + id;
  });
  appender.closeSync();
}

/**
 * The serial-date candidates of a column checkSourceColumns did not adopt as
 * dates (it flagged them): their values leave the columns, as the in-process
 * read takes them out of the parts.
 */
async function dropRejectedSerials(connection: Connection, s: number, parts: readonly SourceColumns[], warnings: readonly ColumnWarning[], columnIndex: ReadonlyMap<string, number>): Promise<void> {
  const source = parts[0]?.name;
  const adopted = new Set(warnings.filter((w) => w.source === source && w.kind === 'spreadsheet-serial-dates').map((w) => w.column));
  const bySlot = new Map<string, number[]>();
  for (const part of parts) {
    for (const noted of part.serialDates) {
      if (adopted.has(noted.column)) continue;
      noted.slots.forEach((slot, k) => {
        if (slot === '') return;
        let rows = bySlot.get(slot);
        if (rows === undefined) bySlot.set(slot, (rows = []));
        rows.push(noted.rows[k]);
      });
    }
  }
  for (const [slot, rows] of bySlot) {
    await connection.run(`CREATE OR REPLACE TEMP TABLE rejected AS SELECT unnest([${rows.join(', ')}]) AS src_row`);
    await connection.run(`UPDATE staged SET k${columnIndex.get(slot)} = NULL WHERE "source" = ${s} AND src_row IN (SELECT src_row FROM rejected)`);
    await connection.run('DROP TABLE rejected');
  }
}

