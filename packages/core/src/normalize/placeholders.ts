/**
 * Placeholder values: what registration staff type when the real value is not
 * at hand ("UNKNOWN", 000-00-0000, 123-456-7890, "BABY GIRL"), and what test
 * and unknown-patient records hold. The same few values recur across unrelated
 * people, so agreeing on one is no evidence that two records are one person.
 *
 * This is the documented list, in normalized form (what the normalizers of
 * this folder return), kind by kind. A value on it is kept in the record (and
 * flagged), but blocking and comparisons treat it as missing. Values the list
 * does not know are found from the data too (read/placeholder-values.ts): a
 * value far more frequent than its column's usual value, held by many
 * different people. docs/decisions/placeholders.md says why each entry is here.
 */

/** Field kinds with value-level placeholders (names and birth dates are judged per record: {@link placeholderName}). */
export type PlaceholderKind = 'national_id' | 'identifier' | 'phone' | 'street_address' | 'address_line_2' | 'postcode' | 'email';

// Identifiers: the patterns staff type to get past a required field. One
// character repeated (000000000, 999999999) and the counting sequences. Real
// SSNs never start 000 or 9xx; other schemes can, but a whole number of one
// repeated digit is a placeholder in any scheme.
const SEQUENTIAL = new Set(['123456789', '1234567890', '0123456789', '987654321', '12345678', '123456', '1234567']);

/** One character repeated, at least 4 times ("0000", "999999999", "XXXXXX"). */
function repeated(value: string): boolean {
  if (value.length < 4) return false;
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) !== value.charCodeAt(0)) return false;
  return true;
}

const PHONE_SEQUENCES = new Set(['1234567890', '0123456789', '1234567', '5555555555', '5555555']);

// Streets written when there is no address. "unk"/"unknown"/"homeless" are the
// common ones; "none", "no address", "not known", "no fixed abode" (NFA) and "unknown
// address" the other forms seen in registration systems.
const STREETS = new Set([
  'unk', 'unknown', 'unknown address', 'address unknown', 'homeless', 'none', 'no address', 'not known',
  'no fixed abode', 'nfa', 'no fixed address', 'not given', 'not stated', 'declined', 'refused',
]);

// E-mail addresses typed to get past a required field.
const EMAIL_LOCAL_PARTS = new Set(['none', 'noemail', 'no email', 'nomail', 'na', 'unknown', 'test', 'noreply', 'no reply', 'donotreply']);

/**
 * Whether a normalized value of a field of this kind is a placeholder on the
 * documented list (never a judgement from the data; see placeholder-values.ts).
 */
export function isPlaceholderValue(kind: PlaceholderKind, value: string): boolean {
  switch (kind) {
    case 'national_id':
    case 'identifier':
      return repeated(value) || SEQUENTIAL.has(value);
    case 'phone': {
      // The last 10 (or 7) digits carry the number; a country code in front does not make it real.
      const national = value.length > 10 ? value.slice(-10) : value;
      return repeated(national) || PHONE_SEQUENCES.has(national);
    }
    case 'street_address':
    case 'address_line_2':
      return STREETS.has(value);
    case 'postcode':
      // 99999 and 00000 are no one's postcode (US ZIP codes 00000 and 99999 are unassigned).
      return repeated(value.replace(/\s/g, '')) && (value[0] === '9' || value[0] === '0');
    case 'email': {
      const at = value.indexOf('@');
      return at >= 0 && EMAIL_LOCAL_PARTS.has(value.slice(0, at));
    }
  }
}

// Given names that stand for "no name yet": newborns registered before they are
// named, unknown patients. ("test" only with a test family name, below: it is
// also a rare real name.)
const GIVEN = new Set(['unknown', 'unk', 'baby', 'baby boy', 'baby girl', 'babyboy', 'babygirl', 'infant', 'newborn', 'male', 'female', 'unnamed', 'no name']);
const FAMILY = new Set(['unknown', 'unk', 'unnamed', 'no name']);
// Whole-name placeholders: each part is a real name on its own ("john", "doe",
// "patient" is a rare surname), so only the pair is a placeholder.
const WHOLE_NAMES = new Set(['john doe', 'jane doe', 'baby doe', 'test patient', 'test test', 'patient test', 'test record', 'dummy patient']);

const WHOLE_NAME_STARTS = new Set([...WHOLE_NAMES].map((name) => name.slice(0, name.lastIndexOf(' '))));

/** Whether a given name is the first part of a whole-name placeholder ("john", "test"): only then is the pair looked up. */
export function mayStartWholeName(given: string): boolean {
  return WHOLE_NAME_STARTS.has(given);
}

/** Which parts of a record's name are placeholders. */
export interface PlaceholderName {
  readonly given: boolean;
  readonly family: boolean;
}

/**
 * Which of a record's normalized given and family names are placeholders: a
 * given name alone ("baby girl": the family name is the family's, and stays
 * evidence), a family name alone ("unknown"), or the whole name ("john doe",
 * "test patient"). Empty strings are missing, not placeholders.
 */
export function placeholderName(given: string, family: string): PlaceholderName {
  if (given !== '' && family !== '' && WHOLE_NAMES.has(`${given} ${family}`)) return { given: true, family: true };
  return { given: given !== '' && GIVEN.has(given), family: family !== '' && FAMILY.has(family) };
}

/**
 * Birth dates (YYYYMMDD) that systems fill in when the date is unknown. Only a
 * placeholder with a placeholder name, or when the data shows it far more often
 * than any other date (placeholder-values.ts): on its own it may be a real date.
 */
export const SENTINEL_BIRTH_DATES: ReadonlySet<string> = new Set(['19000101', '19010101', '18000101']);
