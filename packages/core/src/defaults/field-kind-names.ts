/**
 * The field kind names (and a field's options) on their own, without the
 * normalizers and comparisons of field-kinds.ts: the settings schema lists them,
 * and settings/ comes after defaults/ (docs/decisions/core-layout.md).
 */

/** What a column holds. The kind picks the normalizer, the default comparison and the default blocking keys. */
export const FIELD_KINDS = [
  'given_name',
  'family_name',
  'middle_name',
  'full_name',
  'birth_date',
  'sex',
  'street_number',
  'street_address',
  'address_line_2',
  'city',
  'state',
  'postcode',
  'phone',
  'email',
  'national_id',
  'identifier',
  'text',
  'ignore',
] as const;

/**
 * The kind of a column, one of FIELD_KINDS: given_name, family_name, birth_date,
 * postcode, phone, national_id, ... (the full list and what each does: docs/settings.md).
 */
export type FieldKind = (typeof FIELD_KINDS)[number];

/** A column's kind with options: `format`, `earliestYear`, `latestYear` for dates, `defaultCountry` for phones, `field` for any kind but full_name. */
export interface FieldOptions {
  readonly kind: FieldKind;
  /** How dates are written, e.g. "MM/DD/YYYY"; "excel" or "excel-1904" for spreadsheet serial day numbers; unset or "auto" to recognise the common forms. */
  readonly format?: string;
  /** Dates before this year are flagged `implausible-year` (and kept as evidence); default 1800. */
  readonly earliestYear?: number;
  /** Dates after this year are flagged `implausible-year` (and kept as evidence); default next year. */
  readonly latestYear?: number;
  readonly defaultCountry?: string;
  /**
   * The logical field the column feeds (default: the kind's name, e.g. "phone";
   * for identifier and text, the column's name). Several columns of one source
   * feeding one field (home and cell phone, two addresses, alias names) are
   * that field's values: a pair's comparison takes the best level over every
   * pair of values.
   */
  readonly field?: string;
}
