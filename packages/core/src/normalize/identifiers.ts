import { isAsciiAlphanumeric } from '@mpi/blocking';
import { MISSING, asRawString, type InvalidReason, type Normalized } from './types.js';
import { plainForms } from './unicode-forms.js';

/** Check-digit schemes {@link checkDigitValid} knows. */
export type CheckDigitScheme = 'luhn' | 'nhs-mod11';

export const CHECK_DIGIT_SCHEMES: readonly CheckDigitScheme[] = ['luhn', 'nhs-mod11'];

/**
 * Result of {@link normalizeIdentifier}. Unlike other normalisers, a failed check
 * digit keeps the value: `{ value: 'ABC123', invalid: 'bad-check-digit' }`.
 * The identifier is still evidence (a typo in one digit, or a scheme applied to
 * the wrong source), so it is flagged for review, never dropped.
 */
export type NormalizedIdentifier = Normalized | { value: string; invalid: Extract<InvalidReason, 'bad-check-digit'> };

const NON_ASCII = /[^\x00-\x7f]/;
// Whitespace, dashes (incl. Unicode hyphens and minus), dots and slashes are formatting, not identity.
const IDENTIFIER_FORMATTING = /[\s\-./\u2010-\u2015\u2212]+/g;

/**
 * Identifier (MRN, insurance, national health number): trimmed, upper case,
 * spaces, dashes, dots and slashes removed ("123-45.678/9" -> "123456789").
 * Check digits are not looked at here; see {@link normalizeCheckedIdentifier}.
 */
export function normalizeIdentifier(raw: string): Normalized {
  let s = asRawString(raw);
  // Most identifiers are plain letters and digits: upper case is all they need,
  // without the two regexes below (a measurable share of a cold read).
  if (isAsciiAlphanumeric(s)) return s === '' ? MISSING : { value: s.toUpperCase() };
  if (NON_ASCII.test(s)) {
    // Full-width digits and letters to plain ones (NFKC, other-script digits,
    // invisible characters removed: see plainForms). Case mapping, NFKC and the
    // removal of formatting can each undo another's work on exotic input, so
    // repeat to a fixed point: re-normalising a value must not change it.
    for (let round = 0; round < 4; round++) {
      const next = plainForms(s).toUpperCase().replace(IDENTIFIER_FORMATTING, '');
      if (next === s) break;
      s = next;
    }
  } else {
    s = s.toUpperCase().replace(IDENTIFIER_FORMATTING, '');
  }
  return s === '' ? MISSING : { value: s };
}

/**
 * {@link normalizeIdentifier} plus a check-digit test: a failure returns the
 * value with `invalid: 'bad-check-digit'` (see {@link NormalizedIdentifier}) so
 * the caller can flag, not drop, it. Throws only for an unknown scheme (a
 * settings error).
 */
export function normalizeCheckedIdentifier(raw: string, scheme: CheckDigitScheme): NormalizedIdentifier {
  if (!CHECK_DIGIT_SCHEMES.includes(scheme)) {
    throw new Error(`Unknown check-digit scheme "${String(scheme)}": use one of ${CHECK_DIGIT_SCHEMES.join(', ')}`);
  }
  const result = normalizeIdentifier(raw);
  if (result.value === '' || checkDigitValid(result.value, scheme)) return result;
  return { value: result.value, invalid: 'bad-check-digit' };
}

/**
 * True when `value` (digits only, as normalised) passes the scheme's check digit.
 * - 'luhn': mod-10 Luhn, the last digit is the check digit (e.g. NPI with prefix 80840, many MRNs, card-style IDs).
 * - 'nhs-mod11': UK NHS number, 10 digits, weights 10..2, check 11 - (sum mod 11), 11 -> 0, 10 never issued.
 * Non-digit characters or an empty value fail.
 */
export function checkDigitValid(value: string, scheme: CheckDigitScheme): boolean {
  switch (scheme) {
    case 'luhn':
      return luhnValid(value);
    case 'nhs-mod11':
      return nhsNumberValid(value);
    default:
      return false;
  }
}

/** Luhn (mod 10) check over the whole string; false for empty or non-digit input. */
export function luhnValid(value: string): boolean {
  const n = value.length;
  if (n < 2) return false;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let d = value.charCodeAt(n - 1 - i) - 48;
    if (d < 0 || d > 9) return false;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function nhsNumberValid(value: string): boolean {
  if (value.length !== 10) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (i < 9) sum += d * (10 - i);
  }
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  return check !== 10 && check === value.charCodeAt(9) - 48;
}
