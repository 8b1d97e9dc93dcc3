// The dialect table: every difference between the engines the plan runs on, in
// one place. docs/sql-engine.md renders the same table for people; a test checks
// that every dialect maps every plan function.
//
// What a string function counts: our kernels count UTF-16 code units, which
// are characters (code points) below U+10000. Spark's levenshtein and
// char_length count code points (UTF8String), Trino's string functions code
// points (its documentation); DuckDB's length and substr count code points, but
// its edit distances and Jaro-Winkler bytes of UTF-8, so the DuckDB dialect
// renames a non-ASCII pair to one-byte characters first (byCharacters). A
// character above U+FFFF (a CJK extension B ideograph) is one code point in the
// engines and two code units in process: the only place they count apart.
import type { PlanFunction } from './plan/expression.js';

export type DialectName = 'duckdb' | 'spark' | 'trino';

export interface Dialect {
  readonly name: DialectName;
  /** A quoted identifier. */
  quote(identifier: string): string;
  /** Each plan function over rendered arguments. */
  readonly functions: { readonly [F in PlanFunction]: (args: readonly string[]) => string };
  /** What each function needs on the engine (a built-in, or a UDF to register), for the docs. */
  readonly notes: { readonly [F in PlanFunction]?: string };
  /** An array / list from its elements. */
  list(items: readonly string[]): string;
  /** The array sorted ascending. */
  sortList(list: string): string;
  log2(x: string): string;
  /** The bitwise OR of an integer column over a group (an aggregate). */
  bitOrAggregate(x: string): string;
  /** Whether integer `x` has any bit of the constant `mask` set. */
  hasBits(x: string, mask: number): string;
  /**
   * The ORDER BY that stores the candidate pairs by left row, or '' (a cluster
   * engine compares them in one statement). Embedded DuckDB compares them in
   * blocks of left rows: stored in order, a block's scan skips the row groups of
   * every other block by their min/max statistics.
   */
  readonly pairsOrder: string;
  /** A DOUBLE literal that parses back to exactly `value` (shortest round-trip digits). */
  double(value: number): string;
  /** Creates (or replaces) a table from a query. */
  createTable(name: string, query: string): string[];
  dropTable(name: string): string;
  renameTable(from: string, to: string): string;
}

/** Shortest round-trip digits in exponent form: a DOUBLE literal in all three engines (a plain 0.5 is DECIMAL in DuckDB and Spark). */
function exponent(value: number): string {
  return value.toExponential();
}

function doubleLiteral(value: number, infinity: string, nan: string): string {
  if (Number.isNaN(value)) return nan;
  if (value === Infinity) return infinity;
  if (value === -Infinity) return `-${infinity}`;
  return exponent(value);
}

const doubleQuoted = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Edit distance at most 1 by computing it where the lengths allow (the form
 * for engines without a cheap mismatch count).
 */
function withinOne(distance: string, a: string, b: string, length: (x: string) => string): string {
  return `(CASE WHEN abs(${length(a)} - ${length(b)}) <= 1 THEN ${distance}(${a}, ${b}) <= 1 ELSE FALSE END)`;
}

/**
 * Printable ASCII, space to tilde: what DuckDB's string functions see in place
 * of a pair's characters when the pair is not ASCII (byCharacters).
 */
const ONE_BYTE_CHARACTERS = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

/**
 * `test` of two strings by their characters, in DuckDB. Its levenshtein,
 * damerau_levenshtein, hamming and jaro_winkler_similarity count bytes of
 * UTF-8: a typo of one Cyrillic or Greek letter is one or two edits, of a CJK
 * character up to three, and Jaro-Winkler matches bytes (王小明 / 王小朋: 0.91
 * by bytes, 0.82 by characters). Our kernels count characters. A pair with a
 * character beyond ASCII is renamed first: each distinct character of the two
 * strings becomes one printable ASCII character (translate; the same renaming
 * for both), which changes no distance or similarity, as they only ask whether
 * two characters are equal. A pair with more distinct characters than
 * ONE_BYTE_CHARACTERS (95; only long non-Latin text) keeps its bytes. ASCII
 * pairs, nearly all of them once names are normalized (diacritics folded),
 * take the built-ins as they are, after the check strlen = length: on 1M
 * pairs of the 1M population's names and addresses the check added 0.03 CPU s
 * to Jaro-Winkler's 0.10, while a renamed pair costs about 10 µs (0.8 CPU s
 * for 83k pairs), so renaming every pair would cost a hundred times the
 * built-in (bench/src/sql-string-functions.ts, docs/sql-engine.md).
 */
function byCharacters(a: string, b: string, test: (x: string, y: string) => string): string {
  const distinct = `array_to_string(list_distinct(string_split(${a} || ${b}, '')), '')`;
  const renamed = (x: string) => `translate(${x}, m, substr(${sqlLiteral(ONE_BYTE_CHARACTERS)}, 1, length(m)))`;
  const renamedTest = `list_transform([[${renamed(a)}, ${renamed(b)}]], lambda p: ${test('p[1]', 'p[2]')})[1]`;
  return `(CASE WHEN strlen(${a}) = length(${a}) AND strlen(${b}) = length(${b}) THEN ${test(a, b)} ELSE list_transform([${distinct}], lambda m: CASE WHEN length(m) <= ${ONE_BYTE_CHARACTERS.length} THEN ${renamedTest} ELSE ${test(a, b)} END)[1] END)`;
}

const sqlLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * DuckDB: edit distance at most 1 without the quadratic distance for most
 * pairs, on one-byte characters (byCharacters), so byte lengths (strlen) are
 * lengths. Equal lengths: one edit is one mismatched position (hamming,
 * linear); an adjacent swap is two, and only those pairs compute
 * damerau_levenshtein. Lengths one apart: one insertion (levenshtein). Further
 * apart: never. The damerau_levenshtein of every pair took 4 times levenshtein
 * and 20 times hamming on the phone numbers of 236k blocked pairs.
 */
function duckdbWithinOne(a: string, b: string, swaps: boolean): string {
  return byCharacters(a, b, (x, y) => {
    const sameLength = swaps
      ? `(CASE WHEN hamming(${x}, ${y}) <= 1 THEN TRUE WHEN hamming(${x}, ${y}) = 2 THEN damerau_levenshtein(${x}, ${y}) <= 1 ELSE FALSE END)`
      : `hamming(${x}, ${y}) <= 1`;
    return `(CASE WHEN strlen(${x}) = strlen(${y}) THEN ${sameLength} WHEN abs(strlen(${x}) - strlen(${y})) = 1 THEN levenshtein(${x}, ${y}) <= 1 ELSE FALSE END)`;
  });
}

/** |a ∩ b| / |a ∪ b| from the element counts, 0 when both lists are empty. */
function jaccard(common: string, a: string, b: string, size: (x: string) => string): string {
  return `(CASE WHEN ${size(a)} + ${size(b)} = 0 THEN 0 ELSE CAST(${common} AS DOUBLE) / (${size(a)} + ${size(b)} - ${common}) END)`;
}

export const DUCKDB: Dialect = {
  name: 'duckdb',
  quote: doubleQuoted,
  functions: {
    jaroWinkler: ([a, b]) => byCharacters(a, b, (x, y) => `jaro_winkler_similarity(${x}, ${y})`),
    levenshtein: ([a, b]) => byCharacters(a, b, (x, y) => `levenshtein(${x}, ${y})`),
    damerauLevenshtein: ([a, b]) => byCharacters(a, b, (x, y) => `damerau_levenshtein(${x}, ${y})`),
    withinOneEdit: ([a, b]) => duckdbWithinOne(a, b, false),
    withinOneEditOrSwap: ([a, b]) => duckdbWithinOne(a, b, true),
    length: ([a]) => `length(${a})`,
    prefix: ([a, n]) => `substr(${a}, 1, ${n})`,
    listsOverlap: ([a, b]) => `list_has_any(${a}, ${b})`,
    // The token lists are sets (valueFeature), so the tokens of a found in b are the common ones.
    // list_intersect makes a set of its own: the street-address comparison took 5.2 s with it, 3.2 s
    // with this, on 1.87M candidate pairs of 1M records (docs/sql-engine.md, "Speed of scoring in DuckDB").
    tokenJaccard: ([a, b]) => jaccard(`len(list_filter(${a}, lambda token: list_contains(${b}, token)))`, a, b, (x) => `len(${x})`),
    abs: ([a]) => `abs(${a})`,
    least: ([a, b]) => `least(${a}, ${b})`,
    greatest: ([a, b]) => `greatest(${a}, ${b})`,
  },
  notes: {
    jaroWinkler: 'the built-in compares bytes of UTF-8: a pair beyond ASCII is renamed to one byte a character first (byCharacters)',
    levenshtein: 'the built-in counts bytes of UTF-8: a pair beyond ASCII is renamed to one byte a character first (byCharacters)',
    damerauLevenshtein: 'the built-in counts bytes of UTF-8: a pair beyond ASCII is renamed to one byte a character first (byCharacters)',
  },
  list: (items) => `[${items.join(', ')}]`,
  sortList: (list) => `list_sort(${list})`,
  log2: (x) => `log2(${x})`,
  bitOrAggregate: (x) => `bit_or(${x})`,
  hasBits: (x, mask) => `(${x} & ${mask}) <> 0`,
  pairsOrder: '\nORDER BY left_row',
  double: (value) => doubleLiteral(value, `CAST('Infinity' AS DOUBLE)`, `CAST('NaN' AS DOUBLE)`),
  createTable: (name, query) => [`CREATE OR REPLACE TABLE ${doubleQuoted(name)} AS\n${query}`],
  dropTable: (name) => `DROP TABLE IF EXISTS ${doubleQuoted(name)}`,
  renameTable: (from, to) => `ALTER TABLE ${doubleQuoted(from)} RENAME TO ${doubleQuoted(to)}`,
};

const backQuoted = (identifier: string) => `\`${identifier.replaceAll('`', '``')}\``;

export const SPARK: Dialect = {
  name: 'spark',
  quote: backQuoted,
  functions: {
    jaroWinkler: ([a, b]) => `jaro_winkler_similarity(${a}, ${b})`,
    levenshtein: ([a, b]) => `levenshtein(${a}, ${b})`,
    damerauLevenshtein: ([a, b]) => `damerau_levenshtein(${a}, ${b})`,
    withinOneEdit: ([a, b]) => withinOne('levenshtein', a, b, (x) => `char_length(${x})`),
    withinOneEditOrSwap: ([a, b]) => withinOne('damerau_levenshtein', a, b, (x) => `char_length(${x})`),
    length: ([a]) => `char_length(${a})`,
    prefix: ([a, n]) => `substring(${a}, 1, ${n})`,
    listsOverlap: ([a, b]) => `arrays_overlap(${a}, ${b})`,
    tokenJaccard: ([a, b]) => jaccard(`size(array_intersect(${a}, ${b}))`, a, b, (x) => `size(${x})`),
    abs: ([a]) => `abs(${a})`,
    least: ([a, b]) => `least(${a}, ${b})`,
    greatest: ([a, b]) => `greatest(${a}, ${b})`,
  },
  notes: {
    jaroWinkler: 'no built-in: register a UDF named jaro_winkler_similarity (prefix scale 0.1, up to 4 characters, boost from Jaro 0.7)',
    damerauLevenshtein: 'no built-in: register a UDF named damerau_levenshtein (only distances <= 1 are tested by the default levels, where restricted and true Damerau-Levenshtein agree)',
  },
  list: (items) => `array(${items.join(', ')})`,
  sortList: (list) => `array_sort(${list})`,
  log2: (x) => `log2(${x})`,
  bitOrAggregate: (x) => `bit_or(${x})`,
  hasBits: (x, mask) => `(${x} & ${mask}) <> 0`,
  pairsOrder: '',
  double: (value) => doubleLiteral(value, `CAST('Infinity' AS DOUBLE)`, `CAST('NaN' AS DOUBLE)`),
  createTable: (name, query) => [`DROP TABLE IF EXISTS ${backQuoted(name)}`, `CREATE TABLE ${backQuoted(name)} USING parquet AS\n${query}`],
  dropTable: (name) => `DROP TABLE IF EXISTS ${backQuoted(name)}`,
  renameTable: (from, to) => `ALTER TABLE ${backQuoted(from)} RENAME TO ${backQuoted(to)}`,
};

export const TRINO: Dialect = {
  name: 'trino',
  quote: doubleQuoted,
  functions: {
    jaroWinkler: ([a, b]) => `jaro_winkler_similarity(${a}, ${b})`,
    levenshtein: ([a, b]) => `levenshtein_distance(${a}, ${b})`,
    damerauLevenshtein: ([a, b]) => `damerau_levenshtein(${a}, ${b})`,
    withinOneEdit: ([a, b]) => withinOne('levenshtein_distance', a, b, (x) => `length(${x})`),
    withinOneEditOrSwap: ([a, b]) => withinOne('damerau_levenshtein', a, b, (x) => `length(${x})`),
    length: ([a]) => `length(${a})`,
    prefix: ([a, n]) => `substr(${a}, 1, ${n})`,
    listsOverlap: ([a, b]) => `arrays_overlap(${a}, ${b})`,
    tokenJaccard: ([a, b]) => jaccard(`cardinality(array_intersect(${a}, ${b}))`, a, b, (x) => `cardinality(${x})`),
    abs: ([a]) => `abs(${a})`,
    least: ([a, b]) => `least(${a}, ${b})`,
    greatest: ([a, b]) => `greatest(${a}, ${b})`,
  },
  notes: {
    jaroWinkler: 'no built-in: a plugin function named jaro_winkler_similarity',
    damerauLevenshtein: 'no built-in: a plugin function named damerau_levenshtein',
  },
  list: (items) => `ARRAY[${items.join(', ')}]`,
  sortList: (list) => `array_sort(${list})`,
  log2: (x) => `log2(${x})`,
  bitOrAggregate: (x) => `bitwise_or_agg(${x})`,
  hasBits: (x, mask) => `bitwise_and(${x}, ${mask}) <> 0`,
  pairsOrder: '',
  double: (value) => doubleLiteral(value, 'infinity()', 'nan()'),
  createTable: (name, query) => [`DROP TABLE IF EXISTS ${doubleQuoted(name)}`, `CREATE TABLE ${doubleQuoted(name)} AS\n${query}`],
  dropTable: (name) => `DROP TABLE IF EXISTS ${doubleQuoted(name)}`,
  renameTable: (from, to) => `ALTER TABLE ${doubleQuoted(from)} RENAME TO ${doubleQuoted(to)}`,
};

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = { duckdb: DUCKDB, spark: SPARK, trino: TRINO };
