import { foldText } from './text.js';
import { MISSING, asRawString, type Normalized } from './types.js';
import { removeInvisible } from './unicode-forms.js';

/** Generational suffix: it separates a parent from a same-named child, so it is kept apart from the name. */
export type NameSuffix = '' | 'jr' | 'sr' | 'ii' | 'iii' | 'iv';

const TITLES = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mstr', 'master', 'mx', 'dr', 'doctor', 'prof', 'professor',
  'rev', 'reverend', 'revd', 'sir', 'dame', 'fr', 'hon', 'madam', 'mme', 'mlle',
]);

const SUFFIXES = new Map<string, NameSuffix>([
  ['jr', 'jr'], ['jnr', 'jr'], ['junior', 'jr'],
  ['sr', 'sr'], ['snr', 'sr'], ['senior', 'sr'],
  ['ii', 'ii'], ['2nd', 'ii'],
  ['iii', 'iii'], ['3rd', 'iii'],
  ['iv', 'iv'], ['4th', 'iv'],
]);

// Post-nominal letters that are not part of the name and do not identify a generation.
const POST_NOMINALS = new Set(['esq', 'phd']);

// Family-name particles: kept with the family name ("ludwig van beethoven" -> "van beethoven").
const PARTICLES = new Set([
  'van', 'von', 'vander', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'das', 'dos', 'du', 'des',
  'le', 'la', 'o', 'mc', 'mac', 'st', 'ter', 'ten', 'bin', 'ibn', 'al', 'el',
]);

// Placeholders that registries write into the middle-name field when there is none.
const NO_MIDDLE_NAME = new Set(['nmn', 'nmi']);

const isTrailingNoise = (token: string): boolean => SUFFIXES.has(token) || POST_NOMINALS.has(token);

/**
 * Name-field pipeline: fold text (apostrophes dropped), then remove leading
 * titles and trailing suffixes/post-nominals - never all tokens, because a
 * lone "Rev" or "Jr" in a name field is more likely a name than decoration.
 */
function normalizeNameField(raw: string): string {
  const text = foldText(asRawString(raw), true);
  if (text.indexOf(' ') < 0) return text;
  const tokens = text.split(' ');
  let start = 0;
  let end = tokens.length;
  while (start < end - 1 && TITLES.has(tokens[start])) start++;
  while (end - 1 > start && isTrailingNoise(tokens[end - 1])) end--;
  if (start === 0 && end === tokens.length) return text;
  return tokens.slice(start, end).join(' ');
}

/**
 * Given (first) name: text folding, apostrophes dropped (o'neil -> oneil),
 * hyphens and initials' dots become one space ("Mary-Jane" -> "mary jane",
 * "J." -> "j"), titles and generational suffixes removed (see {@link nameSuffix}).
 */
export function normalizeGivenName(raw: string): Normalized {
  const value = normalizeNameField(raw);
  return value === '' ? MISSING : { value };
}

/** Middle name(s): as {@link normalizeGivenName}; the "no middle name" placeholders NMN/NMI count as missing. */
export function normalizeMiddleName(raw: string): Normalized {
  const value = normalizeNameField(raw);
  return value === '' || NO_MIDDLE_NAME.has(value) ? MISSING : { value };
}

/**
 * Family name: as {@link normalizeGivenName}; multi-part and hyphenated names
 * keep their parts separated by one space ("Smith-Jones" -> "smith jones",
 * "O'Brien" -> "obrien", "van der Berg" -> "van der berg").
 */
export function normalizeFamilyName(raw: string): Normalized {
  const value = normalizeNameField(raw);
  return value === '' ? MISSING : { value };
}

/**
 * The generational suffix written anywhere after the first word of a name
 * ("John Smith Jr.", "Smith Jr, John", "SMITH, JOHN III"), or a suffix field
 * holding only the suffix ("Jr."). '' when none. Junior/Jnr/Senior/Snr/2nd/3rd/4th
 * map to jr/sr/ii/iii/iv.
 */
export function nameSuffix(raw: string): NameSuffix {
  const text = foldText(asRawString(raw), true);
  if (text === '') return '';
  const tokens = text.split(' ');
  if (tokens.length === 1) return SUFFIXES.get(tokens[0]) ?? '';
  // The first word is skipped: a leading "Sr" is usually Sister (a title).
  for (let i = tokens.length - 1; i >= 1; i--) {
    const suffix = SUFFIXES.get(tokens[i]);
    if (suffix !== undefined) return suffix;
  }
  return '';
}

/** A full name split into normalised parts; '' for a part that is absent. */
export interface SplitName {
  given: string;
  middle: string;
  family: string;
}

// Whitespace and commas separate name words; hyphens do not (they join a double-barrelled part).
const WORD_SEPARATORS = /[\s,]+/;

/** Normalised words of a name segment; a hyphenated word stays one unit ("smith jones"). */
function nameUnits(segment: string): string[] {
  const units: string[] = [];
  for (const word of segment.split(WORD_SEPARATORS)) {
    if (word === '') continue;
    const unit = foldText(word, true);
    if (unit !== '') units.push(unit);
  }
  return units;
}

function stripDecorations(units: string[], keepAtLeast: number): string[] {
  let start = 0;
  let end = units.length;
  while (end - start > keepAtLeast && TITLES.has(units[start])) start++;
  while (end - start > keepAtLeast && isTrailingNoise(units[end - 1])) end--;
  return start === 0 && end === units.length ? units : units.slice(start, end);
}

/**
 * Splits a one-field full name into given, middle and family parts, each
 * normalised like the matching field normaliser.
 *
 * - Comma form "FAMILY, GIVEN MIDDLE" (a second comma, e.g. ", Jr.", is tolerated).
 * - Space form "GIVEN MIDDLE FAMILY": the last word is the family name, pulling
 *   in preceding particles ("ludwig van beethoven" -> family "van beethoven");
 *   the first word always stays the given name ("Van Morrison" -> given "van").
 * - A single word is taken as the family name, the part registries record most reliably.
 * - Titles and generational suffixes are removed; read the suffix with {@link nameSuffix}.
 */
export function splitFullName(raw: string): SplitName {
  let s = asRawString(raw);
  // U+FEFF is the one invisible character that \s matches: removed before the split (foldText removes the others).
  if (s.indexOf('\ufeff') >= 0) s = removeInvisible(s);
  const comma = s.indexOf(',');
  if (comma >= 0) {
    const familyUnits = stripDecorations(nameUnits(s.slice(0, comma)), 1);
    const rest = stripDecorations(nameUnits(s.slice(comma + 1)), 0);
    return {
      given: rest.length > 0 ? rest[0] : '',
      middle: rest.length > 1 ? rest.slice(1).join(' ') : '',
      family: familyUnits.join(' '),
    };
  }
  const units = stripDecorations(nameUnits(s), 1);
  if (units.length === 0) return { given: '', middle: '', family: '' };
  if (units.length === 1) return { given: '', middle: '', family: units[0] };
  let familyStart = units.length - 1;
  while (familyStart > 1 && PARTICLES.has(units[familyStart - 1])) familyStart--;
  return {
    given: units[0],
    middle: units.slice(1, familyStart).join(' '),
    family: units.slice(familyStart).join(' '),
  };
}
