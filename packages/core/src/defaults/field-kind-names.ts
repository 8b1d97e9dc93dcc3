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

/** A column's kind with options: `format` for dates (e.g. "MM/DD/YYYY"), `defaultCountry` for phones. */
export interface FieldOptions {
  readonly kind: FieldKind;
  readonly format?: string;
  readonly defaultCountry?: string;
}
