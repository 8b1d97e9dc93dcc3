/**
 * A column's field kind from a sample of its values, for a column whose header
 * says nothing: only kinds whose values have a shape of their own (e-mail
 * addresses, dates, sex codes, formatted phone numbers, US social security
 * numbers). Bare digits and words could be postcodes, street numbers, names or
 * cities alike, so such a column is left out rather than guessed.
 */
import type { FieldKind } from '../../defaults/field-kind-names.js';
import { FORMAT_SHARE, looksLikeDates } from './date-format.js';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MALE = new Set(['m', 'male']);
const FEMALE = new Set(['f', 'female']);
const SEX = new Set([...MALE, ...FEMALE, 'u', 'unknown', 'unk', 'o', 'other', 'x']);
/** A phone number written with its punctuation: (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567. */
const PHONE = /^\+?[0-9]{0,3}[ .-]?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-][0-9]{4}$|^\+[0-9]{8,15}$/;
const SSN = /^[0-9]{3}-[0-9]{2}-[0-9]{4}$/;

/** Whether at least FORMAT_SHARE of the values pass `test`. */
function most(values: readonly string[], test: (value: string) => boolean): boolean {
  let passed = 0;
  for (const value of values) if (test(value)) passed++;
  return values.length > 0 && passed >= FORMAT_SHARE * values.length;
}

/**
 * The kind the non-blank sample values of a column show, or undefined. Dates
 * are read as birth dates: the caller takes one only when no header names a
 * birth date and a single column looks like dates.
 */
export function kindFromValues(values: readonly string[]): FieldKind | undefined {
  const trimmed = values.map((v) => v.trim()).filter((v) => v !== '');
  if (trimmed.length === 0) return undefined;
  if (most(trimmed, (v) => EMAIL.test(v))) return 'email';
  if (most(trimmed, (v) => SSN.test(v))) return 'national_id';
  if (most(trimmed, (v) => PHONE.test(v))) return 'phone';
  // Both a male and a female code: a column of single letters could be anything else.
  const lower = trimmed.map((v) => v.toLowerCase());
  if (most(lower, (v) => SEX.has(v)) && lower.some((v) => MALE.has(v)) && lower.some((v) => FEMALE.has(v))) return 'sex';
  if (looksLikeDates(trimmed)) return 'birth_date';
  return undefined;
}
