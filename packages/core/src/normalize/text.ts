import { asRawString } from './types.js';
import { removeInvisible } from './unicode-forms.js';

const ASCII_SEPARATORS = /[^a-z0-9]+/g;
const COMBINING_MARKS = /\p{M}+/gu;
const NON_LETTER_DIGIT = /[^\p{L}\p{N}]+/gu;
const ASCII_APOSTROPHES = /['`]/g;
// Apostrophe look-alikes used by keyboards, word processors and OCR. Removed
// before NFKD because U+00B4 decomposes to a space plus a combining accent.
const APOSTROPHES = /['`\u00b4\u02b9\u02bb\u02bc\u02bd\u2018\u2019\u201b\u2032\uff07]/g;

// Latin letters that NFKD leaves intact; folded so that e.g. "Strauß" and
// "Strauss" or "Søren" and "Soren" meet.
const LETTER_FOLDS: Record<string, string> = {
  'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'ł': 'l', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ı': 'i', 'ħ': 'h', 'ŧ': 't', 'ŋ': 'n',
};
const FOLDABLE_LETTERS = /[ßæœøłđðþıħŧŋ]/g;
const foldLetter = (letter: string): string => LETTER_FOLDS[letter] ?? letter;

/**
 * Shared pipeline behind every text-like normaliser. `dropApostrophes` is for
 * personal names, where O'Brien and OBrien are the same name written two ways.
 * ASCII input (the vast majority) skips NFKD and the Unicode regexes.
 */
export function foldText(raw: string, dropApostrophes: boolean): string {
  // One scan classifies the input: most values are short ASCII that is already
  // canonical but for case ("John", "SMITH"), which needs only toLowerCase.
  let canonical = true;
  let hasUpper = false;
  let previousWasSpace = true;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      previousWasSpace = false;
    } else if (c >= 65 && c <= 90) {
      hasUpper = true;
      previousWasSpace = false;
    } else if (c >= 128) {
      return foldLatin(raw, dropApostrophes);
    } else if (c === 32 && !previousWasSpace) {
      previousWasSpace = true;
    } else {
      canonical = false;
    }
  }
  if (canonical && !previousWasSpace) return hasUpper ? raw.toLowerCase() : raw;
  let s = raw;
  if (dropApostrophes && (s.indexOf("'") >= 0 || s.indexOf('`') >= 0)) s = s.replace(ASCII_APOSTROPHES, '');
  return s.toLowerCase().replace(ASCII_SEPARATORS, ' ').trim();
}

// Per-character folds for Latin-script text (U+0000..U+024F plus combining
// marks U+0300..U+036F), computed once from the general Unicode pipeline. Names
// with accents are common enough that NFKD plus four Unicode regexes per value
// showed up in read-path profiles; a table walk is several times faster and,
// because marks are dropped, gives the same result (checked by a test).
const LATIN_TABLE_END = 0x370;
const SEPARATOR = ' ';

function buildLatinTable(dropApostrophes: boolean): string[] {
  const table: string[] = new Array(LATIN_TABLE_END);
  for (let c = 0; c < LATIN_TABLE_END; c++) {
    const ch = String.fromCharCode(c);
    if (/\p{M}/u.test(ch)) {
      table[c] = '';
      continue;
    }
    // Untrimmed: a separator at the edge of a decomposition matters ("ŀ" -> "l·" -> "l ").
    table[c] = foldUnicodeUntrimmed(ch, dropApostrophes);
  }
  return table;
}

let latinTables: [string[], string[]] | undefined;

/** Latin-script fast path; anything outside the table goes to {@link foldUnicode}. */
export function foldLatin(raw: string, dropApostrophes: boolean): string {
  latinTables ??= [buildLatinTable(false), buildLatinTable(true)];
  const table = latinTables[dropApostrophes ? 1 : 0];
  let out = '';
  let pendingSeparator = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= LATIN_TABLE_END || (c >= 0x250 && c < 0x300)) return foldUnicode(raw, dropApostrophes);
    const piece = table[c];
    if (piece === '') continue;
    if (piece === SEPARATOR) {
      pendingSeparator = true;
    } else if (piece.indexOf(SEPARATOR) < 0) {
      out = pendingSeparator && out !== '' ? out + SEPARATOR + piece : out + piece;
      pendingSeparator = false;
    } else {
      // Rare multi-part decompositions such as "¼" -> "1 4".
      const parts = piece.split(SEPARATOR);
      for (let k = 0; k < parts.length; k++) {
        if (k > 0) pendingSeparator = true;
        if (parts[k] === '') continue;
        out = pendingSeparator && out !== '' ? out + SEPARATOR + parts[k] : out + parts[k];
        pendingSeparator = false;
      }
    }
  }
  return out;
}

/** General Unicode pipeline: invisible characters removed, NFKD, marks stripped, lower case, letter folds, separators collapsed. */
export function foldUnicode(raw: string, dropApostrophes: boolean): string {
  return foldUnicodeUntrimmed(raw, dropApostrophes).trim();
}

function foldUnicodeUntrimmed(raw: string, dropApostrophes: boolean): string {
  // Before anything else: a zero-width space or soft hyphen inside a name is no separator ("Jo\u200Bhn" is "john").
  let s = removeInvisible(raw);
  if (dropApostrophes) s = s.replace(APOSTROPHES, '');
  s = s.normalize('NFKD');
  // Again after NFKD, which can produce one (U+0149 -> U+02BC n).
  if (dropApostrophes) s = s.replace(APOSTROPHES, '');
  return s
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(FOLDABLE_LETTERS, foldLetter)
    .replace(NON_LETTER_DIGIT, ' ');
}

/**
 * Canonical free text: invisible characters (zero-width space and joiners, soft
 * hyphen, U+FEFF...) removed, NFKD, diacritics (combining marks) stripped, a few
 * non-decomposing letters folded (ß -> ss, ø -> o ...), lower case, every run of
 * punctuation/whitespace turned into one space, trimmed. Letters of any script
 * and digits are kept.
 */
export function normalizeText(raw: string): { value: string } {
  return { value: foldText(asRawString(raw), false) };
}
