// What training without a model reads of the records, on the streamed path:
// u from the seeded random pairs (the records of the sample pulled from DuckDB,
// compared by our kernels); the household share is counted with the pairs (trainInSql).
import {
  comparisonSpaceSize,
  compileVectorizer,
  exactAgreement,
  hasExactFirstLevel,
  levelCounts,
  samplePartCount,
  sampleRandomPairs,
  sampleRandomPairsPart,
  uFromLevelCounts,
  vectorizePairs,
  type Comparison,
  type ExactAgreement,
} from '@mpi/scoring';
import { appendColumns } from '@mpi/sql';
import type { EncodedColumn, LinkMode, PairChunk } from '@mpi/types';
import { ColumnBuilder } from '../../read/column-builder.js';
import type { StagedRecords } from './stage.js';
import { eachChunk, type Connection } from './sql.js';

/** What estimateUInSql samples: as ComparisonPool.estimateU's options. */
export interface USample {
  readonly mode: LinkMode;
  readonly sampleSize: number;
  readonly seed: number;
}

/**
 * u as ComparisonPool.estimateU gives it on the whole table: the same seeded
 * random pairs (drawn from the record count and sources alone), their records
 * pulled from DuckDB into a table of the sample's rows and compared by our
 * kernels, and the exact levels' u from the value counts of the whole space
 * (exactAgreement on each such column's ids, read one column at a time).
 */
export async function estimateUInSql(connection: Connection, staged: StagedRecords, source: Uint16Array, comparisons: readonly Comparison[], sample: USample): Promise<number[][]> {
  const { mode, seed } = sample;
  const size = staged.size;
  const sampleSize = Math.max(0, Math.floor(sample.sampleSize));
  const chunks: PairChunk[] =
    comparisonSpaceSize(size, source, mode) <= sampleSize
      ? [sampleRandomPairs({ size, source, mode, sampleSize, seed })]
      : Array.from({ length: samplePartCount(sampleSize) }, (_, part) => sampleRandomPairsPart({ mode, sampleSize, seed, part, size, source }));
  const rows = sampleRows(chunks);
  const table = await sampleTable(connection, staged, rows, comparisons);
  const vectorizer = compileVectorizer(table, comparisons);
  const counts = comparisons.map((comparison) => new Float64Array(comparison.levels.length));
  for (const chunk of chunks) {
    levelCounts([vectorizePairs(vectorizer, localRows(rows, chunk.left), localRows(rows, chunk.right))], comparisons, counts);
  }
  const k = new Map(staged.columns.map((column, i) => [column, i]));
  const byColumn = new Map<string, ExactAgreement>();
  const exact: (ExactAgreement | undefined)[] = [];
  for (const comparison of comparisons) {
    if (!hasExactFirstLevel(comparison)) {
      exact.push(undefined);
      continue;
    }
    let agreement = byColumn.get(comparison.column);
    if (agreement === undefined) byColumn.set(comparison.column, (agreement = exactAgreement(await idsOf(connection, staged, k.get(comparison.column)!), source, mode)));
    exact.push(agreement);
  }
  return uFromLevelCounts(counts, comparisons, exact);
}

/** The distinct rows of the sample's pairs, ascending. */
function sampleRows(chunks: readonly PairChunk[]): Uint32Array {
  const all = new Set<number>();
  for (const { left, right } of chunks) for (let i = 0; i < left.length; i++) all.add(left[i]).add(right[i]);
  return Uint32Array.from(all).sort();
}

/** Each row's position among the sample's rows. */
function localRows(rows: Uint32Array, of: Uint32Array): Uint32Array {
  const out = new Uint32Array(of.length);
  for (let i = 0; i < of.length; i++) {
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid] < of[i]) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

/** The sample's records, with the columns the comparisons read, as a table of their own (row i is rows[i]). */
async function sampleTable(connection: Connection, staged: StagedRecords, rows: Uint32Array, comparisons: readonly Comparison[]) {
  const k = new Map(staged.columns.map((column, i) => [column, i]));
  const names = [...new Set(comparisons.flatMap((comparison) => [comparison.column, ...(comparison.valueColumns ?? [])]))];
  await connection.run('CREATE OR REPLACE TEMP TABLE u_rows ("row" UINTEGER)');
  const appender = await connection.createAppender('u_rows');
  appendColumns(appender, rows.length, (_, i) => rows[i]);
  appender.closeSync();
  const builders = names.map(() => new ColumnBuilder());
  const source = new Uint16Array(rows.length);
  const values = names.map((name) => `d${k.get(name)}."value"`);
  const joins = names.map((name) => `LEFT JOIN dictv_${k.get(name)} d${k.get(name)} ON d${k.get(name)}.id = r.c${k.get(name)}`);
  await eachChunk(connection, `SELECT r."source"${values.map((v) => `, ${v}`).join('')} FROM u_rows u JOIN rid r USING ("row") ${joins.join(' ')} ORDER BY u."row"`, ([sources, ...columns], at) => {
    for (let i = 0; i < sources.length; i++) {
      source[at + i] = sources[i] as number;
      columns.forEach((column, c) => {
        const value = column[i] as string | null;
        builders[c].reserve(at + i + 1);
        if (value !== null) builders[c].setIfEmpty(at + i, builders[c].intern(value));
      });
    }
  });
  await connection.run('DROP TABLE u_rows');
  const columns: Record<string, EncodedColumn> = {};
  names.forEach((name, c) => {
    builders[c].reserve(rows.length);
    columns[name] = { dictionary: builders[c].dictionary, ids: builders[c].ids.subarray(0, rows.length) };
  });
  return { size: rows.length, source, columns };
}

/** A column's value ids by canonical row (0 = missing), with a dictionary as long as the column's (exactAgreement reads its length only). */
async function idsOf(connection: Connection, staged: StagedRecords, i: number): Promise<EncodedColumn> {
  const ids = new Uint32Array(staged.size);
  await eachChunk(connection, `SELECT "row", c${i} FROM rid WHERE c${i} IS NOT NULL`, ([row, id]) => {
    for (let j = 0; j < row.length; j++) ids[row[j] as number] = id[j] as number;
  });
  return { dictionary: new Array<string>(staged.distinct[i] + 1), ids };
}
