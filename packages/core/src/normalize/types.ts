/**
 * Why a non-empty raw value could not be normalised. Codes are stable: they are
 * counted in data-quality reports and never carry the raw value (PHI).
 */
export type InvalidReason =
  | 'unparseable-date'
  | 'impossible-date'
  | 'implausible-year'
  | 'bad-sex-code'
  | 'bad-phone'
  | 'bad-email'
  | 'bad-check-digit';

/**
 * Result of a field normaliser. `{ value: '' }` without `invalid` means the
 * field is missing (blank input). With `invalid` the input was present but
 * failed validation and is counted as invalid: an empty value means nothing
 * could be read from it (treated as missing); a non-empty one is the value's
 * canonical characters, kept as evidence beside the flag (a date with month 86
 * keeps its digits, so "one digit off" still finds the slip).
 */
export type Normalized = { value: string } | { value: string; invalid: InvalidReason };

/** A normaliser for one field; `option` is the field's setting (date format, default country, check-digit scheme). */
export type FieldNormalizer = (raw: string, option?: string) => Normalized;

/** Shared, frozen result for blank input: avoids one allocation per missing value on the read path. */
export const MISSING: Normalized = Object.freeze({ value: '' }) as Normalized;

const INVALID_RESULTS = new Map<InvalidReason, Normalized>();

/** Shared, frozen invalid result for a reason. */
export function invalid(reason: InvalidReason): Normalized {
  let result = INVALID_RESULTS.get(reason);
  if (result === undefined) {
    result = Object.freeze({ value: '' as const, invalid: reason });
    INVALID_RESULTS.set(reason, result);
  }
  return result;
}

/** True when the result carries an invalid reason. */
export function isInvalid(result: { value: string; invalid?: InvalidReason }): boolean {
  return (result as { invalid?: InvalidReason }).invalid !== undefined;
}

/**
 * Records arriving from JSON objects may hold numbers or null where a string is
 * expected; coerce instead of throwing so one odd cell cannot stop a load.
 */
export function asRawString(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (raw === null || raw === undefined) return '';
  if (typeof raw === 'number' || typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
  return '';
}
