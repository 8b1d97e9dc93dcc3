// The HTML report of a link run in DuckDB (mpi link --engine duckdb
// --report-html): the same ReportData and page as the in-process report, its
// figures counted by SQL over DuckDB's tables. The candidate pairs and who each
// record is never come into our process: SQL returns the histogram's bins (a
// few hundred rows), the true pairs of a truth, and with showValues the twenty
// pairs on either side of the threshold.
import { DUCKDB, matchProbabilitySql } from '@mpi/sql';
import { matchProbability } from '@mpi/scoring';
import { appendMemberships, type Memberships } from '../evaluate/append-memberships.js';
import type { LinkedInDuckDb } from '../pipeline/link-sql.js';
import { commonFigures, type ReportOptions } from './build-report.js';
import type { ReportData, SamplePair } from './report-data.js';
import { renderReportHtml } from './render-html.js';
import { PER_SIDE } from './sample-pairs.js';
import { curvesOfTallies, edgesOfRange, Tally, type BinTallies } from './weight-curves.js';

/** Options of {@link reportDataInDuckDb}: the in-process report's, with a truth that may be streamed (a truth file of millions of rows). */
export interface DuckDbReportOptions extends Omit<ReportOptions, 'truth'> {
  /** Memberships of a truth file (source, record id, person), appended to DuckDB as they come: adds the measured curve and pair completeness. */
  readonly truth?: Memberships;
}

type Connection = LinkedInDuckDb['executor']['connection'];

const rowsOf = async (connection: Connection, sql: string) => (await connection.runAndReadAll(sql)).getRows();

/** A pair's match probability, and whether it is a link (as weightCurves: a NaN weight is not). */
const PROBABILITY = matchProbabilitySql('match_weight');
const isLink = (threshold: number) => `(NOT isnan(match_weight) AND ${PROBABILITY} >= ${DUCKDB.double(threshold)})`;

/**
 * `report_persons` ("row", person): the person of each record the truth
 * names, a record given twice keeping its first person (as TruthIndex does),
 * persons numbered (any numbering: only equality is read).
 */
async function loadTruth(connection: Connection, truth: Memberships): Promise<void> {
  await appendMemberships(connection, 'report_truth', 'person', truth);
  await connection.run(
    `CREATE OR REPLACE TABLE report_persons AS SELECT w."row", dense_rank() OVER (ORDER BY t.person) AS person
     FROM (SELECT "source", record_id, arg_min(person, seq) AS person FROM report_truth GROUP BY "source", record_id) t
     JOIN source_names s ON s.name = t."source" JOIN who w ON w."source" = s."source" AND w.record_id = t.record_id`,
  );
  await connection.run('DROP TABLE report_truth');
}

/**
 * Pairs of records of one person among the records the truth names, counted
 * across sources only when the comparison space is cross-source (link mode),
 * as resultPairTruth counts them in process.
 */
async function truePairsInSpace(connection: Connection, records: LinkedInDuckDb): Promise<number> {
  const n = records.records.size;
  const crossSourceOnly = records.blocking.totalPairs !== (n * (n - 1)) / 2;
  const pairsBy = async (keys: string) =>
    Number((await rowsOf(connection, `SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM report_persons p JOIN who w USING ("row") GROUP BY ${keys})`))[0][0]);
  return (await pairsBy('p.person')) - (crossSourceOnly ? await pairsBy('p.person, w."source"') : 0);
}

/** Per bin of the histogram and link or not: pairs, their summed match probability, and with a truth the known and true pairs. */
async function binTallies(connection: Connection, threshold: number, withTruth: boolean): Promise<BinTallies> {
  const [low, high] = (await rowsOf(connection, 'SELECT min(match_weight), max(match_weight) FROM scored_pairs WHERE isfinite(match_weight)'))[0];
  const edges = low === null ? edgesOfRange(Infinity, -Infinity) : edgesOfRange(Number(low), Number(high));
  const bins = edges.length - 1;
  const start = DUCKDB.double(edges[0]);
  const width = DUCKDB.double(edges[1] - edges[0]);
  // The bin as weightCurves computes it: floor((w - start) / width), clamped; NaN in the first.
  const bin = `CASE WHEN isnan(match_weight) THEN 0 ELSE CAST(least(${bins - 1}, greatest(0, floor((match_weight - ${start}) / ${width}))) AS INTEGER) END`;
  const truth = withTruth
    ? `CASE WHEN l.person IS NULL OR r.person IS NULL THEN NULL WHEN l.person = r.person THEN 1 ELSE 0 END`
    : 'CAST(NULL AS INTEGER)';
  const joins = withTruth ? 'LEFT JOIN report_persons l ON l."row" = sp.left_row LEFT JOIN report_persons r ON r."row" = sp.right_row' : '';
  // fsum (Kahan): the sums of probabilities do not depend on how DuckDB's threads split the pairs, beyond float noise.
  const rows = await rowsOf(
    connection,
    `SELECT bin, link, count(*), fsum(p), count(truth), coalesce(sum(truth), 0) FROM (
       SELECT ${bin} AS bin, ${isLink(threshold)} AS link, ${PROBABILITY} AS p, ${truth} AS truth FROM scored_pairs sp ${joins}
     ) GROUP BY bin, link ORDER BY bin, link`,
  );
  const tally = new Tally(edges, withTruth);
  for (const [bin, link, pairs, probability, known, truePairs] of rows) tally.add(Number(bin), Boolean(link), Number(pairs), Number(probability), Number(known), Number(truePairs));
  return tally.tallies();
}

/**
 * The links with the lowest weights and the non-links with the highest, with
 * each record's normalized values (what samplePairs shows in process). Ties of
 * weight go to the lower (left row, right row); in process to the pair met
 * first in the result's chunks, so on tied weights the two reports may show
 * different pairs of the same weight.
 */
async function samplePairsInDuckDb(connection: Connection, records: LinkedInDuckDb): Promise<SamplePair[]> {
  const fields = records.fields;
  if (fields === undefined) throw new RangeError('reportDataInDuckDb: showValues needs the records\' values: link with keepValues');
  const side = (where: string, order: string) =>
    `SELECT left_row, right_row, match_weight FROM scored_pairs WHERE ${where} ORDER BY match_weight ${order}, left_row, right_row LIMIT ${PER_SIDE}`;
  const link = isLink(records.threshold);
  const above = (await rowsOf(connection, side(link, 'ASC'))).reverse();
  const below = await rowsOf(connection, side(`NOT ${link}`, 'DESC'));
  const pairs = [...above, ...below].map(([left, right, weight]) => ({ left: Number(left), right: Number(right), weight: Number(weight) }));
  if (pairs.length === 0) return [];
  const rows = [...new Set(pairs.flatMap((pair) => [pair.left, pair.right]))];
  const values = fields.map((_, k) => `d${k}."value"`);
  const joins = fields.map((_, k) => `LEFT JOIN dictv_${k} d${k} ON d${k}.id = r.c${k}`);
  const found = await rowsOf(
    connection,
    `SELECT w."row", s.name, w.record_id${values.map((value) => `, ${value}`).join('')} FROM who w JOIN source_names s ON s."source" = w."source"
     JOIN rid r ON r."row" = w."row" ${joins.join(' ')} WHERE w."row" IN (${rows.join(', ')})`,
  );
  const byRow = new Map(found.map(([row, source, recordId, ...fieldValues]) => [Number(row), { source: String(source), recordId: String(recordId), values: fieldValues.map((v) => (v === null ? '' : String(v))) }]));
  return pairs.map(({ left, right, weight }) => {
    const l = byRow.get(left)!;
    const r = byRow.get(right)!;
    return {
      matchWeight: weight,
      matchProbability: matchProbability(weight),
      left: { source: l.source, recordId: l.recordId },
      right: { source: r.source, recordId: r.recordId },
      fields: fields.map((field, k) => ({ field, left: l.values[k], right: r.values[k] })),
    };
  });
}

/**
 * The report's figures for a link run in DuckDB, while DuckDB is open (from
 * linkInDuckDb's `outputs`): the figures of linkReportData, counted by SQL.
 * The histogram, the links and the levels, training and blocking figures are
 * those of the in-process report; the sums of probabilities (the estimated
 * curves) are summed in another order, so equal within float noise.
 * `showValues` needs the link run with `keepValues`.
 */
export async function reportDataInDuckDb(records: LinkedInDuckDb, options: DuckDbReportOptions = {}): Promise<ReportData> {
  const connection = records.executor.connection;
  let truePairs: number | undefined;
  if (options.truth !== undefined) {
    await loadTruth(connection, options.truth);
    truePairs = await truePairsInSpace(connection, records);
  }
  try {
    const tallies = await binTallies(connection, records.threshold, truePairs !== undefined);
    const figures = commonFigures({ curves: curvesOfTallies(tallies), threshold: records.threshold, candidatePairs: records.blocking.candidatePairs, truePairs, model: records.model }, options);
    return {
      ...figures,
      records: records.records.size,
      groups: records.groups,
      blocking: records.blocking,
      samples: options.showValues ? await samplePairsInDuckDb(connection, records) : null,
      notes: [],
    };
  } finally {
    if (truePairs !== undefined) await connection.run('DROP TABLE IF EXISTS report_persons');
  }
}

/**
 * The HTML report (see buildReportHtml) of a link run in DuckDB, from
 * linkInDuckDb's `outputs` while DuckDB is open: one self-contained page, no
 * record value unless `showValues`. See docs/report.md.
 */
export async function buildReportHtmlInDuckDb(records: LinkedInDuckDb, options: DuckDbReportOptions = {}): Promise<string> {
  return renderReportHtml(await reportDataInDuckDb(records, options));
}
