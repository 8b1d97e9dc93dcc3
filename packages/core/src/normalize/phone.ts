import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { MISSING, asRawString, invalid, type Normalized } from './types.js';
import { plainForms } from './unicode-forms.js';

const BAD_PHONE = invalid('bad-phone');

// libphonenumber-js ignores input above 250 characters; skip the call outright.
const MAX_PHONE_LENGTH = 250;
const MIN_DIGITS = 7;
const MAX_DIGITS = 15; // E.164 maximum

/** Checks a default-country setting; throws a settings error (naming the code) when unsupported. */
function defaultCountryCode(country: string | undefined): CountryCode | undefined {
  if (country === undefined || country === '') return undefined;
  const code = country.trim().toUpperCase();
  if (!isSupportedCountry(code)) throw new Error(`Unsupported default phone country "${country}": use an ISO 3166-1 alpha-2 code such as "US" or "AU"`);
  return code;
}

/**
 * Phone number to E.164 ("+61412345678") using libphonenumber-js (min metadata:
 * length-based checks, much smaller and faster to load than full metadata).
 * National numbers need `defaultCountry` (ISO alpha-2, e.g. 'US', 'AU') to get a
 * country code. A number that does not parse as a possible number but has 7..15
 * digits becomes its digit string, so it stays comparable with itself across
 * sources. Fewer digits, or one digit repeated ("000-000-0000", a common
 * placeholder that would otherwise link strangers), is invalid 'bad-phone'.
 * Extensions are dropped. A value with other than ASCII characters is read in
 * its plain forms (full-width or other-script digits as ASCII digits, see
 * plainForms). Throws only for an unsupported `defaultCountry`.
 */
export function normalizePhone(raw: string, defaultCountry?: string): Normalized {
  return phoneOf(asRawString(raw), defaultCountryCode(defaultCountry), true);
}

function phoneOf(s: string, country: CountryCode | undefined, plain: boolean): Normalized {
  let digits = '';
  let distinctDigits = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits.length > 0 && c !== digits.charCodeAt(0)) distinctDigits = true;
      if (digits.length <= MAX_DIGITS + 8) digits += s[i];
    } else if (c >= 0x80 && plain) {
      return phoneOf(plainForms(s), country, false);
    }
  }
  if (digits === '') return s.trim() === '' ? MISSING : BAD_PHONE;
  if (digits.length < MIN_DIGITS || !distinctDigits) return BAD_PHONE;
  const nanp = nanpFastPath(s, digits, country);
  if (nanp !== undefined) return { value: nanp };
  if (s.length <= MAX_PHONE_LENGTH) {
    try {
      const parsed = parsePhoneNumberFromString(s, country);
      if (parsed !== undefined && parsed.isPossible()) return { value: parsed.number };
    } catch {
      // Never let a library edge case stop a load; fall through to the digit string.
    }
  }
  return digits.length <= MAX_DIGITS ? { value: digits } : BAD_PHONE;
}

/** Countries of the North American Numbering Plan that share country code 1. */
const NANP: ReadonlySet<string> = new Set(['US', 'CA']);

/**
 * The common case of a North American number written with only digits, spaces
 * and ()-.+ gives the same E.164 string libphonenumber would, without its ~10 us
 * per call: at 1M records phones are nearly all distinct, so caching cannot help.
 * Anything else (extensions, letters, other lengths, invalid area codes) returns
 * undefined and takes the full parse.
 */
function nanpFastPath(s: string, digits: string, country: string | undefined): string | undefined {
  const plus = s.trimStart().startsWith('+');
  if (!plus && (country === undefined || !NANP.has(country))) return undefined;
  let national: string;
  if (digits.length === 11 && digits.charCodeAt(0) === 49) national = digits.slice(1);
  else if (digits.length === 10 && !plus) national = digits;
  else return undefined;
  // Area code and exchange start with 2-9 in the NANP.
  if (national.charCodeAt(0) < 50 || national.charCodeAt(3) < 50) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const allowed = (c >= 48 && c <= 57) || c === 32 || c === 40 || c === 41 || c === 45 || c === 46 || c === 43;
    if (!allowed) return undefined;
  }
  return '+1' + national;
}
