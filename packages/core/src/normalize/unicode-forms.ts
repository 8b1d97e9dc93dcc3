// Unicode forms that look like something else: invisible characters inside a
// value, and compatibility forms of digits and punctuation (full-width
// "１９８０－０３－０５", circled or other-script digits). Only non-ASCII values
// come here: every normaliser keeps its ASCII fast path first.

/**
 * Invisible characters (Unicode Default_Ignorable_Code_Point): zero-width space
 * U+200B, zero-width (non-)joiners U+200C/D, word joiner U+2060, U+FEFF inside a
 * value, soft hyphen U+00AD, bidi marks and variation selectors. A word
 * processor or web form leaves them in; they are no separator.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const HAS_INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

/** The text without invisible characters ("Jo\u200Bhn" -> "John"). */
export function removeInvisible(text: string): string {
  return HAS_INVISIBLE.test(text) ? text.replace(INVISIBLE, '') : text;
}

const NON_ASCII = /[^\x00-\x7f]/;
const DECIMAL_DIGIT = /\p{Nd}/u;
const OTHER_DIGITS = /[^\x00-\x7f]/gu;
const DASHES = /\p{Pd}/gu;

const digitValues = new Map<string, string>();

/**
 * The ASCII digit of a decimal digit of any script. Unicode encodes every set
 * of decimal digits (general category Nd) as a run of ten code points from 0 to
 * 9, so a digit's value is its distance from the start of its run, modulo ten.
 */
function asciiDigit(char: string): string {
  let digit = digitValues.get(char);
  if (digit === undefined) {
    const code = char.codePointAt(0)!;
    if (!DECIMAL_DIGIT.test(char)) {
      digit = char;
    } else {
      let start = code;
      while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
      digit = String((code - start) % 10);
    }
    digitValues.set(char, digit);
  }
  return digit;
}

/**
 * A non-ASCII value in the forms the date and phone parsers read: invisible
 * characters removed, NFKC (full-width digits, letters and punctuation, circled
 * digits, U+3000 space...), decimal digits of other scripts (Arabic-Indic,
 * Devanagari...) as ASCII digits, and every dash (general category Pd: U+2010
 * hyphen to U+2015, U+2E3A...) as "-". ASCII text is returned as it is.
 */
export function plainForms(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  let s = removeInvisible(text).normalize('NFKC');
  if (!NON_ASCII.test(s)) return s;
  s = s.replace(DASHES, '-');
  return s.replace(OTHER_DIGITS, asciiDigit);
}
