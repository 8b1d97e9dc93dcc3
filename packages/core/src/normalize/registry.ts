import { normalizeCity, normalizePostcode, normalizeState, normalizeStreetAddress, normalizeStreetNumber } from './address.js';
import { normalizeDate } from './dates.js';
import { normalizeEmail } from './email.js';
import { normalizeCheckedIdentifier, normalizeIdentifier, type CheckDigitScheme } from './identifiers.js';
import { normalizeFamilyName, normalizeGivenName, normalizeMiddleName } from './names.js';
import { normalizePhone } from './phone.js';
import { normalizeSex } from './sex.js';
import { normalizeText } from './text.js';
import type { FieldNormalizer } from './types.js';

/** Names by which settings refer to normalisers. */
export type NormalizerName =
  | 'text' | 'givenName' | 'middleName' | 'familyName' | 'date' | 'sex' | 'phone' | 'email'
  | 'postcode' | 'streetAddress' | 'streetNumber' | 'city' | 'state' | 'identifier';

/**
 * Normalisers by settings name. `option` is passed to those that take one:
 * date (format), phone (default country), identifier (check-digit scheme);
 * the others ignore it. Identifier results may carry `invalid: 'bad-check-digit'`
 * with a non-empty value (see NormalizedIdentifier).
 */
export const NORMALIZERS: Readonly<Record<NormalizerName, FieldNormalizer>> = Object.freeze({
  text: (raw: string) => normalizeText(raw),
  givenName: (raw: string) => normalizeGivenName(raw),
  middleName: (raw: string) => normalizeMiddleName(raw),
  familyName: (raw: string) => normalizeFamilyName(raw),
  date: (raw: string, option?: string) => normalizeDate(raw, option),
  sex: (raw: string) => normalizeSex(raw),
  phone: (raw: string, option?: string) => normalizePhone(raw, option),
  email: (raw: string) => normalizeEmail(raw),
  postcode: (raw: string) => normalizePostcode(raw),
  streetAddress: (raw: string) => normalizeStreetAddress(raw),
  streetNumber: (raw: string) => normalizeStreetNumber(raw),
  city: (raw: string) => normalizeCity(raw),
  state: (raw: string) => normalizeState(raw),
  identifier: (raw: string, option?: string) =>
    option === undefined || option === ''
      ? normalizeIdentifier(raw)
      : (normalizeCheckedIdentifier(raw, option as CheckDigitScheme) as ReturnType<FieldNormalizer>),
});

/** True when `name` is a known normaliser name. */
export function isNormalizerName(name: string): name is NormalizerName {
  return Object.prototype.hasOwnProperty.call(NORMALIZERS, name);
}
