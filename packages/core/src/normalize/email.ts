import { MISSING, asRawString, invalid, type Normalized } from './types.js';
import { plainForms } from './unicode-forms.js';

const BAD_EMAIL = invalid('bad-email');
const WHITESPACE = /\s/;
/** Whitespace or any non-ASCII character: one scan finds both, so a plain ASCII address costs no more than the whitespace check. */
const WHITESPACE_OR_NON_ASCII = /[\s\u0080-\uffff]/;

/**
 * E-mail address: trimmed and lower-cased; a non-ASCII address is read in its
 * plain forms first (invisible characters removed, NFKC: full-width letters). It must
 * have exactly one '@' with text on both sides and no inner whitespace, else invalid 'bad-email'.
 * Provider-specific folding (Gmail dots, '+tag') is deliberately not applied:
 * it is not valid for every mail domain.
 */
export function normalizeEmail(raw: string): Normalized {
  let s = asRawString(raw).trim().toLowerCase();
  if (s === '') return MISSING;
  const unusual = WHITESPACE_OR_NON_ASCII.test(s);
  if (unusual) {
    s = plainForms(s).trim().toLowerCase();
    if (s === '') return MISSING;
  }
  const at = s.indexOf('@');
  if (at <= 0 || at === s.length - 1 || s.indexOf('@', at + 1) >= 0 || (unusual && WHITESPACE.test(s))) return BAD_EMAIL;
  return { value: s };
}
