// Step 5 of the streamed read: placeholder values found by SQL counts and
// decided by placeholder-values.ts, the code markPlaceholders runs in process.
import { appendColumns } from '@mpi/sql';
import { isPlaceholderValue, SENTINEL_BIRTH_DATES } from '../../normalize/placeholders.js';
import { familyMayMark, frequentFloor, givenMayMark, isJunk, nameMarks, partnersOf, placeholderChecks } from '../../read/placeholder-values.js';
import type { ValueFlag } from '../../read/source-columns.js';
import type { StagedRecords } from './stage.js';
import { eachChunk, idList, literal, rowsOf, type Connection } from './sql.js';

/** The ids of a column's distinct values that `test` holds for, read in batches. */
async function idsWhere(connection: Connection, k: number, test: (value: string) => boolean): Promise<number[]> {
  const ids: number[] = [];
  await eachChunk(connection, `SELECT id, "value" FROM dictv_${k}`, ([id, value]) => {
    for (let i = 0; i < id.length; i++) if (test(value[i] as string)) ids.push(id[i] as number);
  });
  return ids;
}

/**
 * Marks the placeholder values of the staged records (as markPlaceholders
 * does in process): the documented list, placeholder names and a sentinel
 * birth date beside one, then values the data shows to be shared by many
 * people. Their ids in `rid` become NULL (missing) and each is flagged
 * `placeholder`, field by field in the order the in-process read flags them.
 */
export async function markPlaceholdersInSql(connection: Connection, staged: StagedRecords): Promise<ValueFlag[]> {
  const { columns, columnKinds, size } = staged;
  const k = new Map(columns.map((column, i) => [column, i]));
  const checks = placeholderChecks(columns, columnKinds, size);
  for (let i = 0; i < columns.length; i++) await connection.run(`ALTER TABLE rid ADD COLUMN m${i} BOOLEAN DEFAULT false`);
  // The order the in-process read creates its masks in: listed fields, names by first marked row, fields found by frequency.
  const created: string[] = [];
  const create = (field: string) => {
    if (!created.includes(field)) created.push(field);
  };

  for (const [field, kind] of checks.listed) {
    const listed = await idsWhere(connection, k.get(field)!, (value) => isPlaceholderValue(kind, value));
    if (listed.length === 0) continue;
    create(field);
    await connection.run(`UPDATE rid SET m${k.get(field)} = true WHERE c${k.get(field)} IN ${idList(listed)}`);
  }

  await markNamesInSql(connection, k, create);

  // Each field is judged against the list's and the names' marks only (found applies after all).
  const found: [string, number[]][] = [];
  for (const field of checks.frequent) {
    const junk = await frequentInSql(connection, k, field, partnersOf(field, Object.fromEntries(columns.map((c) => [c, true]))), staged.distinct[k.get(field)!]);
    if (junk.length > 0) found.push([field, junk]);
  }
  for (const [field, junk] of found) {
    create(field);
    await connection.run(`UPDATE rid SET m${k.get(field)} = true WHERE c${k.get(field)} IN ${idList(junk)}`);
  }

  const flags: ValueFlag[] = [];
  for (const field of created) {
    const i = k.get(field)!;
    await eachChunk(connection, `SELECT w."source", w.src_row FROM rid r JOIN who w USING ("row") WHERE r.m${i} AND r.c${i} IS NOT NULL ORDER BY r."row"`, ([source, row]) => {
      for (let j = 0; j < source.length; j++) flags.push({ source: staged.sources[source[j] as number], row: row[j] as number, column: field, reason: 'placeholder' });
    });
    await connection.run(`UPDATE rid SET c${i} = NULL WHERE m${i}`);
  }
  for (let i = 0; i < columns.length; i++) await connection.run(`ALTER TABLE rid DROP COLUMN m${i}`);
  return flags;
}

/**
 * Placeholder names and sentinel birth dates beside them: per distinct
 * (given, family, sentinel date) among the records whose given or family name
 * may make one (givenMayMark, familyMayMark), nameMarks decides.
 */
async function markNamesInSql(connection: Connection, k: ReadonlyMap<string, number>, create: (field: string) => void): Promise<void> {
  const g = k.get('given_name');
  const f = k.get('family_name');
  if (g === undefined && f === undefined) return;
  const b = k.get('birth_date');
  const givenMay = g === undefined ? [] : await idsWhere(connection, g, givenMayMark);
  const familyMay = f === undefined ? [] : await idsWhere(connection, f, familyMayMark);
  if (givenMay.length === 0 && familyMay.length === 0) return;
  const sentinel =
    b === undefined ? [] : (await rowsOf(connection, `SELECT id FROM dictv_${b} WHERE "value" IN (${[...SENTINEL_BIRTH_DATES].map(literal).join(', ')})`)).map(([id]) => Number(id));
  const gc = g === undefined ? 'NULL' : `r.c${g}`;
  const fc = f === undefined ? 'NULL' : `r.c${f}`;
  const sc = b === undefined ? 'false' : `coalesce(r.c${b} IN ${idList(sentinel)}, false)`;
  const gv = g === undefined ? "''" : `coalesce((SELECT "value" FROM dictv_${g} WHERE id = t.g), '')`;
  const fv = f === undefined ? "''" : `coalesce((SELECT "value" FROM dictv_${f} WHERE id = t.f), '')`;
  const candidates = await rowsOf(
    connection,
    `SELECT t.g, t.f, t.s, ${gv}, ${fv} FROM (SELECT DISTINCT ${gc} AS g, ${fc} AS f, ${sc} AS s FROM rid r WHERE ${gc} IN ${idList(givenMay)} OR ${fc} IN ${idList(familyMay)}) t`,
  );
  const marked = candidates.flatMap(([gid, fid, s, given, family]) => {
    const marks = nameMarks(given as string, family as string, s as boolean);
    return marks.given || marks.family ? [{ gid: gid as number | null, fid: fid as number | null, s: s as boolean, ...marks }] : [];
  });
  if (marked.length === 0) return;
  await connection.run('CREATE OR REPLACE TEMP TABLE name_marks (g UINTEGER, f UINTEGER, s UTINYINT, mg UTINYINT, mf UTINYINT, mb UTINYINT)');
  const appender = await connection.createAppender('name_marks');
  appendColumns(appender, marked.length, (c, r) => {
    const m = marked[r];
    return [m.gid, m.fid, Number(m.s), Number(m.given), Number(m.family), Number(m.birthDate)][c];
  });
  appender.closeSync();
  // The masks are created as the in-process loop meets them: by the first marked row, given before family before birth date in one row.
  const fields = [['given_name', g, 'mg'], ['family_name', f, 'mf'], ['birth_date', b, 'mb']] as const;
  const match = [g === undefined ? 'n.g IS NULL' : `r.c${g} IS NOT DISTINCT FROM n.g`, f === undefined ? 'n.f IS NULL' : `r.c${f} IS NOT DISTINCT FROM n.f`, `CAST(${sc} AS UTINYINT) = n.s`].join(' AND ');
  const firsts: [string, number, number][] = [];
  for (const [p, [field, column, mark]] of fields.entries()) {
    if (column === undefined) continue;
    const first = (await rowsOf(connection, `SELECT min(r."row") FROM rid r JOIN name_marks n ON ${match} WHERE n.${mark} = 1`))[0][0];
    if (first === null) continue;
    firsts.push([field, Number(first), p]);
    await connection.run(`UPDATE rid AS r SET m${column} = true FROM name_marks n WHERE ${match} AND n.${mark} = 1`);
  }
  firsts.sort((a, b) => a[1] - b[1] || a[2] - b[2]);
  for (const [field] of firsts) create(field);
  await connection.run('DROP TABLE name_marks');
}

/**
 * The ids of a field's values the data shows to be junk: the counts of its live
 * values and, for the candidates at or above frequentFloor, the tallies of
 * their records' live partner values, judged by isJunk.
 */
async function frequentInSql(connection: Connection, k: ReadonlyMap<string, number>, field: string, partners: readonly string[], distinct: number): Promise<number[]> {
  const i = k.get(field)!;
  const counts = new Uint32Array(distinct + 1);
  await eachChunk(connection, `SELECT c${i}, count(*) FROM rid WHERE c${i} IS NOT NULL AND NOT m${i} GROUP BY c${i}`, ([id, count]) => {
    for (let j = 0; j < id.length; j++) counts[id[j] as number] = Number(count[j]);
  });
  const floor = frequentFloor(counts);
  const candidates: number[] = [];
  for (let id = 1; id < counts.length; id++) if (counts[id] >= floor) candidates.push(id);
  if (candidates.length === 0) return [];
  const slot = new Map(candidates.map((id, c) => [id, c]));
  const tallies = candidates.map(() => partners.map(() => new Map<number, number>()));
  for (const [p, partner] of partners.entries()) {
    const j = k.get(partner)!;
    const rows = await rowsOf(connection, `SELECT c${i}, c${j}, count(*) FROM rid WHERE c${i} IN ${idList(candidates)} AND NOT m${i} AND c${j} IS NOT NULL AND NOT m${j} GROUP BY ALL`);
    for (const [id, value, count] of rows) tallies[slot.get(id as number)!][p].set(value as number, Number(count));
  }
  return candidates.filter((_, c) => isJunk(tallies[c]));
}
