// The output files of a DuckDB link, written by DuckDB (COPY ... TO): each
// row is made as one CSV line in SQL, byte for byte the line the in-process
// writers make (core's output/csv-output.ts and write-results.ts), so the
// files do not depend on the engine. DuckDB's own CSV quoting and number
// formatting differ from ours (it quotes empty strings, prints 1e-07 and
// rounds ties to even), so each line is composed here and written unquoted.

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * JavaScript's `\s` (what csvField tests the first and last character with),
 * spelled out for RE2, whose `\s` is ASCII only.
 */
const JS_SPACE = '[\\t\\n\\x0B\\f\\r \\x{00A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]';

/** csvField of csv-output.ts: quoted only when it must be (comma, quote, newline, leading or trailing space). */
export function csvFieldSql(value: string): string {
  const pattern = `[",\\r\\n]|^${JS_SPACE}|${JS_SPACE}$`;
  return `CASE WHEN regexp_matches(${value}, ${sqlString(pattern)}) THEN '"' || replace(${value}, '"', '""') || '"' ELSE ${value} END`;
}

/** spreadsheetSafe of csv-output.ts: a leading single quote before = + - @, tab or carriage return. */
export function spreadsheetSafeSql(value: string): string {
  return `CASE WHEN regexp_matches(${value}, '^[=+\\-@\\t\\r]') THEN '''' || ${value} ELSE ${value} END`;
}

/**
 * identityId of core's cluster.ts: 'P' and the first 16 hex digits of the
 * SHA-256 of the UTF-8 bytes of source, NUL, record id (DuckDB's sha256 hashes
 * a VARCHAR's UTF-8 bytes, NUL included).
 */
export function identityIdSql(source: string, recordId: string): string {
  return `'P' || substr(sha256(${source} || chr(0) || ${recordId}), 1, 16)`;
}

/**
 * matchProbability of @mpi/scoring, the same operations in the same order
 * (DuckDB's pow and V8's ** agree on powers of two of a double: tested).
 */
export function matchProbabilitySql(weight: string): string {
  return `CASE WHEN ${weight} >= 0 THEN 1 / (1 + pow(2.0, -${weight})) ELSE pow(2.0, ${weight}) / (1 + pow(2.0, ${weight})) END`;
}

/**
 * JavaScript's `x.toFixed(4)` for a finite x below 1e21. printf rounds the
 * exact binary value to nearest as toFixed does, but a tie to even where
 * toFixed takes the larger magnitude; a tie at four decimals is exactly an odd
 * multiple of 1/32 (x * 10^4 ends in .5 and x is a binary fraction), nudged
 * away from zero before printing. toFixed prints -0 as 0.0000.
 */
export function toFixed4Sql(x: string): string {
  const tie = `(${x} * 32 = trunc(${x} * 32) AND abs(trunc(${x} * 32)) % 2 = 1)`;
  return `CASE WHEN isnan(${x}) THEN 'NaN' WHEN isinf(${x}) THEN CASE WHEN ${x} > 0 THEN 'Infinity' ELSE '-Infinity' END WHEN ${x} = 0 THEN '0.0000' WHEN ${tie} THEN printf('%.4f', ${x} + sign(${x}) * 1e-9) ELSE printf('%.4f', ${x}) END`;
}

/**
 * JavaScript's `p.toPrecision(6)` for a probability p in [0, 1]: six
 * significant digits, fixed notation down to 1e-6, else `d.ddddde-N`. The
 * digits and exponent are printf's `%.5e` (correctly rounded), rearranged. A
 * tie at the seventh digit is possible only for a binary fraction of at most 11
 * bits after the point (a p = j / 2^k with more has more than seven significant
 * digits); printf breaks it to even, toPrecision upward, so it is nudged up.
 */
export function toPrecision6Sql(p: string): string {
  const exact = `printf('%.15e', ${p})`;
  const tie = `(${p} * 2048 = trunc(${p} * 2048) AND substr(${exact}, 8, 10) = '5000000000')`;
  const e = `printf('%.5e', CASE WHEN ${tie} THEN ${p} * (1 + 1e-12) ELSE ${p} END)`;
  // e is 'd.ddddde±XX': the six digits, and the exponent.
  const digits = `(substr(${e}, 1, 1) || substr(${e}, 3, 5))`;
  const exponent = `CAST(substr(${e}, 9) AS INTEGER)`;
  return `CASE WHEN isnan(${p}) THEN 'NaN' WHEN ${exponent} >= 0 THEN substr(${e}, 1, 7) WHEN ${exponent} >= -6 THEN '0.' || repeat('0', -${exponent} - 1) || ${digits} ELSE substr(${e}, 1, 7) || 'e' || ${exponent} END`;
}
