// The declarative form of a level test: a small expression tree over the two
// records of a pair, with no SQL text in it. A dialect (dialects.ts) renders it
// for one engine; tests evaluate it in DuckDB against the in-process kernels.

/** Which record of the pair an operand reads. */
export type Side = 'left' | 'right';

/**
 * What of a column an operand reads. `value` is the normalized string; the
 * others are columns our own normalization precomputes once per distinct value
 * (no engine has our Double Metaphone, nickname table or date canonicalisation):
 * - `metaphonePrimary` / `metaphoneSecondary`: the Double Metaphone codes (NULL when empty); two
 *   scalar columns rather than a list, as a name has at most two codes (lists cost more to
 *   gather through the comparison join and to compare);
 * - `nicknames`: the ids of the nickname groups the given name belongs to, a list of integers;
 * - `year` / `month` / `day`: parts of a `YYYYMMDD` value (NULL when it is not eight digits);
 * - `dayNumber`: days since 1970-01-01 (NULL when it is not a calendar date);
 * - `tokens`: the distinct non-empty space-separated tokens, a list of strings.
 */
export type Feature = 'value' | 'metaphonePrimary' | 'metaphoneSecondary' | 'nicknames' | 'year' | 'month' | 'day' | 'dayNumber' | 'tokens';

/** Every feature but `value`: the precomputed key columns. */
export const PRECOMPUTED_FEATURES: readonly Exclude<Feature, 'value'>[] = ['metaphonePrimary', 'metaphoneSecondary', 'nicknames', 'year', 'month', 'day', 'dayNumber', 'tokens'];

/**
 * Functions the plan calls; each dialect maps every one of them (dialects.ts).
 * - `jaroWinkler(a, b)`: similarity in [0, 1] (prefix scale 0.1, up to 4 characters);
 * - `levenshtein(a, b)` / `damerauLevenshtein(a, b)`: edit distances;
 * - `withinOneEdit(a, b)` / `withinOneEditOrSwap(a, b)`: whether the Levenshtein /
 *   Damerau-Levenshtein distance is at most 1 (true or false, the distance itself
 *   need not be computed: an engine with a cheap count of mismatched positions
 *   uses it for equal lengths);
 * - `length(a)`; `prefix(a, n)`: the first n characters;
 * - `listsOverlap(a, b)`: the two lists share an element;
 * - `tokenJaccard(a, b)`: |a ∩ b| / |a ∪ b| of two token lists (0 when both are empty);
 * - `abs(a)`, `least(a, b)`, `greatest(a, b)`.
 */
export type PlanFunction = 'jaroWinkler' | 'levenshtein' | 'damerauLevenshtein' | 'withinOneEdit' | 'withinOneEditOrSwap' | 'length' | 'prefix' | 'listsOverlap' | 'tokenJaccard' | 'abs' | 'least' | 'greatest';

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** A node of the expression tree. Comparisons with a NULL operand are not true (SQL semantics). */
export type Expr =
  | { readonly op: 'column'; readonly side: Side; readonly column: string; readonly feature: Feature }
  | { readonly op: 'number'; readonly value: number }
  | { readonly op: 'call'; readonly fn: PlanFunction; readonly args: readonly Expr[] }
  | { readonly op: 'compare'; readonly comparator: Comparator; readonly a: Expr; readonly b: Expr }
  | { readonly op: 'minus' | 'times'; readonly a: Expr; readonly b: Expr }
  | { readonly op: 'and' | 'or'; readonly args: readonly Expr[] }
  /** `test` evaluated only where `guard` holds (a cheap necessary condition before a costly function); false elsewhere. */
  | { readonly op: 'guarded'; readonly guard: Expr; readonly test: Expr }
  | { readonly op: 'isNull'; readonly arg: Expr }
  | { readonly op: 'true' }
  | { readonly op: 'false' };

export const TRUE: Expr = { op: 'true' };
export const FALSE: Expr = { op: 'false' };

export function column(side: Side, name: string, feature: Feature = 'value'): Expr {
  return { op: 'column', side, column: name, feature };
}

export function num(value: number): Expr {
  return { op: 'number', value };
}

export function call(fn: PlanFunction, ...args: Expr[]): Expr {
  return { op: 'call', fn, args };
}

export function compare(comparator: Comparator, a: Expr, b: Expr): Expr {
  return { op: 'compare', comparator, a, b };
}

export function and(...args: Expr[]): Expr {
  const kept = args.filter((arg) => arg.op !== 'true');
  if (kept.some((arg) => arg.op === 'false')) return FALSE;
  return kept.length === 0 ? TRUE : kept.length === 1 ? kept[0] : { op: 'and', args: kept };
}

export function or(...args: Expr[]): Expr {
  const kept = args.filter((arg) => arg.op !== 'false');
  if (kept.some((arg) => arg.op === 'true')) return TRUE;
  return kept.length === 0 ? FALSE : kept.length === 1 ? kept[0] : { op: 'or', args: kept };
}

export function guarded(guard: Expr, test: Expr): Expr {
  return { op: 'guarded', guard, test };
}

/** The precomputed features an expression reads, per column. */
export function featuresRead(expr: Expr, into = new Map<string, Set<Feature>>()): Map<string, Set<Feature>> {
  switch (expr.op) {
    case 'column': {
      let set = into.get(expr.column);
      if (set === undefined) into.set(expr.column, (set = new Set()));
      set.add(expr.feature);
      break;
    }
    case 'call':
    case 'and':
    case 'or':
      for (const arg of expr.args) featuresRead(arg, into);
      break;
    case 'guarded':
      featuresRead(expr.guard, into);
      featuresRead(expr.test, into);
      break;
    case 'compare':
    case 'minus':
    case 'times':
      featuresRead(expr.a, into);
      featuresRead(expr.b, into);
      break;
    case 'isNull':
      featuresRead(expr.arg, into);
      break;
    default:
      break;
  }
  return into;
}
