import { isAsciiAlphanumeric, isAsciiDigits } from '@mpi/blocking';
import { ADDRESS_KEYWORDS, CITY_TOKENS, STATE_ABBREVIATIONS, STREET_TOKENS } from './address-tables.js';
import { foldText } from './text.js';
import { MISSING, asRawString, type Normalized } from './types.js';

const ALL_DIGITS = /^\d+$/;
const HAS_LETTER = /[a-z]/;

/** "St" before a name word right after the house number (or first) is Saint: "12 St Kilda Rd". */
function isSaint(tokens: string[], i: number): boolean {
  const next = tokens[i + 1];
  if (next === undefined || !HAS_LETTER.test(next)) return false;
  if (STREET_TOKENS.has(next) || ADDRESS_KEYWORDS.has(next)) return false;
  return i === 0 || ALL_DIGITS.test(tokens[i - 1]);
}

/**
 * Street address line: {@link normalizeText}, then every token with a standard
 * abbreviation written in one canonical form (st/str -> street, rd -> road,
 * apt/flat -> unit, n -> north, ...; see address-tables.ts), token order kept.
 * "St" directly after the house number and before a name is read as Saint.
 * P.O. Box spellings become "po box".
 */
export function normalizeStreetAddress(raw: string): Normalized {
  const text = foldText(asRawString(raw), false);
  if (text === '') return MISSING;
  const tokens = text.split(' ');
  // Joined once at the end: a value grown by `+` is a rope that every Map lookup
  // of it (the read's dictionary) first copies flat.
  const canonicalTokens: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    let canonical: string;
    if (token === 'p' && tokens[i + 1] === 'o' && tokens[i + 2] === 'box') {
      canonical = 'po box';
      i += 2;
    } else if (token === 'post' && tokens[i + 1] === 'office' && tokens[i + 2] === 'box') {
      canonical = 'po box';
      i += 2;
    } else if (token === 'pobox') {
      canonical = 'po box';
    } else if (token === 'st' && isSaint(tokens, i)) {
      canonical = 'saint';
    } else {
      canonical = STREET_TOKENS.get(token) ?? token;
    }
    canonicalTokens.push(canonical);
  }
  return { value: canonicalTokens.join(' ') };
}

/**
 * House/street number: {@link normalizeText} with spaces removed ("12 A" ->
 * "12a"), except that a dash is kept between two digits ("12-14", "12 - 14" ->
 * "12-14") so a range does not read as a different number (1214).
 */
export function normalizeStreetNumber(raw: string): Normalized {
  const text = foldText(asRawString(raw), false);
  if (text === '') return MISSING;
  if (text.indexOf(' ') < 0) return { value: text };
  const tokens = text.split(' ');
  let value = tokens[0];
  for (let i = 1; i < tokens.length; i++) {
    // Deciding on the characters at the join (not whole tokens) keeps the result stable when re-normalised.
    const digitsMeet = isDigit(value.charCodeAt(value.length - 1)) && isDigit(tokens[i].charCodeAt(0));
    value += digitsMeet ? '-' + tokens[i] : tokens[i];
  }
  return { value };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** City/locality: {@link normalizeText} with st/ste/mt/ft written as saint/sainte/mount/fort. */
export function normalizeCity(raw: string): Normalized {
  const text = foldText(asRawString(raw), false);
  if (text === '') return MISSING;
  if (text.indexOf(' ') < 0) return { value: text };
  const tokens = text.split(' ');
  for (let i = 0; i < tokens.length - 1; i++) tokens[i] = CITY_TOKENS.get(tokens[i]) ?? tokens[i];
  return { value: tokens.join(' ') };
}

const SINGLE_LETTERS = /^(?:[a-z] )+[a-z]$/;

/**
 * State/territory: {@link normalizeText}; US and Australian full names and
 * common abbreviations become the postal code ("New South Wales" -> "nsw",
 * "California" -> "ca", "N.S.W." -> "nsw"). Other values pass through as text.
 */
export function normalizeState(raw: string): Normalized {
  let text = foldText(asRawString(raw), false);
  if (text === '') return MISSING;
  if (text.length <= 7 && SINGLE_LETTERS.test(text)) text = text.replace(/ /g, '');
  return { value: STATE_ABBREVIATIONS.get(text) ?? text };
}

const POSTCODE_SEPARATORS = /[^\p{L}\p{N}]+/gu;
const NON_ASCII = /[^\x00-\x7f]/;
const ZIP_PLUS_4 = /^\d{9}$/;

/**
 * Postcode: upper case with spaces, dashes and other punctuation removed
 * ("sw1a 1aa" -> "SW1A1AA"); a 9-digit value (US ZIP+4) keeps its first 5 digits.
 */
export function normalizePostcode(raw: string): Normalized {
  let s = asRawString(raw);
  // Plain letters and digits (most postcodes) need only upper case, not the regexes below.
  if (isAsciiAlphanumeric(s)) return s === '' ? MISSING : { value: s.length === 9 && isAsciiDigits(s) ? s.slice(0, 5) : s.toUpperCase() };
  // NFKD then upper case, then drop every non-letter/digit (marks included), in
  // that order so a re-normalised postcode comes out unchanged.
  if (NON_ASCII.test(s)) s = s.normalize('NFKD');
  s = s.toUpperCase().replace(POSTCODE_SEPARATORS, '');
  if (s === '') return MISSING;
  return { value: ZIP_PLUS_4.test(s) ? s.slice(0, 5) : s };
}
