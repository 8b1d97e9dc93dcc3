import type { Comparison, ComparisonLevel, LevelTest } from './types.js';

// Ready-made comparisons for the usual patient-record columns. Level designs aim at
// the errors seen in registration data: typing and OCR slips (edit distance),
// phonetic misspellings (Double Metaphone), nicknames, initials, given and family
// names swapped, transposed or mistyped dates, moved addresses. Levels stay few:
// EM estimates one m and one u probability per level.

const missing: ComparisonLevel = { label: 'missing', test: { type: 'null' } };
const otherwise: ComparisonLevel = { label: 'else', test: { type: 'else' } };

function exact(tfAdjustment = false): ComparisonLevel {
  return tfAdjustment ? { label: 'exact', test: { type: 'exact' }, tfAdjustment } : { label: 'exact', test: { type: 'exact' } };
}

function level(label: string, test: LevelTest): ComparisonLevel {
  return { label, test };
}

const jaroWinkler = (threshold: number): ComparisonLevel =>
  level(`Jaro-Winkler >= ${threshold}`, { type: 'jaroWinkler', threshold });
const damerauLevenshtein = (maxDistance: number): ComparisonLevel =>
  level(`Damerau-Levenshtein <= ${maxDistance}`, { type: 'damerauLevenshtein', maxDistance });
const doubleMetaphone = level('Double Metaphone', { type: 'doubleMetaphone' });
const initial = level('initial', { type: 'initial' });

function comparison(column: string, levels: readonly ComparisonLevel[]): Comparison {
  return { name: column, column, levels: [missing, ...levels, otherwise] };
}

function swapped(other: string | undefined): ComparisonLevel[] {
  return other === undefined ? [] : [level(`swapped with ${other}`, { type: 'swapped', other })];
}

/**
 * Weaker swap evidence, tried only when the names themselves disagree: swapped
 * and misspelt (Jaro-Winkler >= 0.9 both ways), or one name typed into the
 * other field on one side only (the other name replaced or left out).
 */
function fuzzySwapped(other: string | undefined): ComparisonLevel[] {
  if (other === undefined) return [];
  return [
    level(`swapped with ${other}, Jaro-Winkler >= 0.9`, { type: 'swapped', other, threshold: 0.9 }),
    level(`equals ${other} of the other record`, { type: 'crossMatch', other }),
  ];
}

/** Options of name comparisons. */
export interface NameComparisonOptions {
  /** The column this one is sometimes swapped with (family name for a given name, and back). */
  readonly swappedWith?: string;
}

/**
 * Given (first) name: exact (term-frequency adjusted) / nickname / swapped /
 * Jaro-Winkler >= 0.92 / Damerau-Levenshtein <= 1 / Jaro-Winkler >= 0.8 /
 * Double Metaphone / initial / swapped and misspelt / equals the family name of
 * the other record / else (the swap levels only with `swappedWith`).
 */
export function givenNameComparison(column: string, opts: NameComparisonOptions = {}): Comparison {
  return comparison(column, [
    exact(true),
    level('nickname', { type: 'nickname' }),
    ...swapped(opts.swappedWith),
    jaroWinkler(0.92),
    damerauLevenshtein(1),
    jaroWinkler(0.8),
    doubleMetaphone,
    initial,
    ...fuzzySwapped(opts.swappedWith),
  ]);
}

/**
 * Family name: exact (term-frequency adjusted) / swapped / Jaro-Winkler >= 0.92 /
 * Damerau-Levenshtein <= 1 / Jaro-Winkler >= 0.8 / Double Metaphone / swapped and
 * misspelt / equals the given name of the other record / else (the swap levels
 * only with `swappedWith`).
 */
export function familyNameComparison(column: string, opts: NameComparisonOptions = {}): Comparison {
  return comparison(column, [
    exact(true),
    ...swapped(opts.swappedWith),
    jaroWinkler(0.92),
    damerauLevenshtein(1),
    jaroWinkler(0.8),
    doubleMetaphone,
    ...fuzzySwapped(opts.swappedWith),
  ]);
}

/** Middle name(s): exact / Jaro-Winkler >= 0.92 / initial / else. */
export function middleNameComparison(column: string): Comparison {
  return comparison(column, [exact(true), jaroWinkler(0.92), initial]);
}

/**
 * Birth date (YYYYMMDD): exact (term-frequency adjusted) / one digit off or
 * adjacent digits swapped (Damerau-Levenshtein <= 1) / day and month
 * transposed / year off by one / within 30 days / else. A date that failed
 * validation keeps its digits (month 86): the string levels compare them,
 * "within 30 days" finds no calendar day in it and never holds.
 */
export function birthDateComparison(column: string): Comparison {
  return comparison(column, [
    exact(true),
    level('one digit off or adjacent digits swapped', { type: 'damerauLevenshtein', maxDistance: 1 }),
    level('day/month transposed', { type: 'dateTransposed' }),
    level('year off by one', { type: 'dateYearOffByOne' }),
    level('within 30 days', { type: 'dateWithinDays', days: 30 }),
  ]);
}

/** Administrative sex: exact / else. */
export function sexComparison(column: string): Comparison {
  return comparison(column, [exact()]);
}

/** House or street number: exact / Damerau-Levenshtein <= 1 / else. */
export function streetNumberComparison(column: string): Comparison {
  return comparison(column, [exact(), damerauLevenshtein(1)]);
}

/** Options of address line comparisons. */
export interface AddressLineComparisonOptions {
  /** The other address line of the record (line 2 for line 1, and back): lines are often entered in each other's place. */
  readonly otherLine?: string;
  /** Term-frequency adjust the exact level (default true for the street address line, false for the second line). */
  readonly tfAdjustment?: boolean;
}

/**
 * Address lines swapped between the two records: both ways exactly, both ways
 * Jaro-Winkler >= 0.9 (swapped and misspelt), or this line of one record close
 * (Jaro-Winkler >= 0.9) to the other line of the other record (a line moved on
 * one side only, the other line left empty or different).
 */
function linesSwapped(other: string | undefined): ComparisonLevel[] {
  if (other === undefined) return [];
  return [
    level(`swapped with ${other}`, { type: 'swapped', other }),
    level(`swapped with ${other}, Jaro-Winkler >= 0.9`, { type: 'swapped', other, threshold: 0.9 }),
    level(`like ${other} of the other record, Jaro-Winkler >= 0.9`, { type: 'crossMatch', other, threshold: 0.9 }),
  ];
}

/**
 * Street address line: exact (term-frequency adjusted: an address more people
 * live at is weaker evidence) / Damerau-Levenshtein <= 1 / Jaro-Winkler >= 0.9 /
 * token overlap >= 0.5 / swapped with the second line / swapped and misspelt /
 * like the second line of the other record / else (the swap levels only with
 * `otherLine`).
 */
export function streetAddressComparison(column: string, opts: AddressLineComparisonOptions = {}): Comparison {
  return comparison(column, [
    exact(opts.tfAdjustment ?? true),
    // One slip (a letter, a lost space) apart from Jaro-Winkler alone: lines share
    // long common endings and beginnings ("street", "glen "), so different streets
    // reach Jaro-Winkler 0.9 too, and EM weighs them separately.
    damerauLevenshtein(1),
    jaroWinkler(0.9),
    level('token overlap >= 0.5', { type: 'tokenOverlap', threshold: 0.5 }),
    ...linesSwapped(opts.otherLine),
  ]);
}

/**
 * Second address line (unit, building, estate, care-of): the street address
 * levels, swapped with the first line when `otherLine` names it.
 */
export function addressLine2Comparison(column: string, opts: AddressLineComparisonOptions = {}): Comparison {
  return streetAddressComparison(column, { tfAdjustment: false, ...opts });
}

/** City or locality: exact (term-frequency adjusted) / Jaro-Winkler >= 0.9 / else. */
export function cityComparison(column: string): Comparison {
  return comparison(column, [exact(true), jaroWinkler(0.9)]);
}

/**
 * State or region: exact (term-frequency adjusted) / Damerau-Levenshtein <= 1 /
 * else. Codes are short, so one slip ("qdl", "ss") is often another valid code:
 * EM weighs the typo level between agreement and a real move.
 */
export function stateComparison(column: string): Comparison {
  return comparison(column, [exact(true), damerauLevenshtein(1)]);
}

/**
 * Postcode: exact (term-frequency adjusted) / Damerau-Levenshtein <= 1 /
 * first 3 characters agree / else.
 */
export function postcodeComparison(column: string): Comparison {
  return comparison(column, [
    exact(true),
    damerauLevenshtein(1),
    level('first 3 characters agree', { type: 'prefix', length: 3 }),
  ]);
}

/** Phone number (digits): exact (term-frequency adjusted: a number more people share is weaker evidence) / Damerau-Levenshtein <= 1 / else. */
export function phoneComparison(column: string): Comparison {
  return comparison(column, [exact(true), damerauLevenshtein(1)]);
}

/** E-mail address: exact / Damerau-Levenshtein <= 1 / else. */
export function emailComparison(column: string): Comparison {
  return comparison(column, [exact(), damerauLevenshtein(1)]);
}

/**
 * Identifier (SSN, medical record or insurance number): exact (term-frequency
 * adjusted: an id that several people hold, reused in a family or mistyped
 * into another's, is weaker evidence) / Damerau-Levenshtein <= 1 / else.
 */
export function identifierComparison(column: string): Comparison {
  return comparison(column, [exact(true), damerauLevenshtein(1)]);
}

/** Free text: exact / Jaro-Winkler >= 0.9 / token overlap >= 0.5 / else. */
export function textComparison(column: string): Comparison {
  return comparison(column, [
    exact(),
    jaroWinkler(0.9),
    level('token overlap >= 0.5', { type: 'tokenOverlap', threshold: 0.5 }),
  ]);
}

/** Options of {@link exactComparison}. */
export interface ExactComparisonOptions {
  /** Adjust the exact level for term frequency (skewed columns). */
  readonly tfAdjustment?: boolean;
}

/** Any column compared for equality only: exact / else. */
export function exactComparison(column: string, opts: ExactComparisonOptions = {}): Comparison {
  return comparison(column, [exact(opts.tfAdjustment ?? false)]);
}
