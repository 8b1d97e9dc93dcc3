/**
 * Field normalisers: raw strings to canonical values that comparisons and
 * blocking see. Pure, never throw on data, never echo values in errors.
 */

/**
 * Bumped whenever any normaliser's output changes for some input, so cached
 * normalised columns and trained models (m/u probabilities, term frequencies)
 * built with an older version can be detected and rebuilt.
 */
export const NORMALIZER_VERSION = 3;

export { MISSING, invalid, isInvalid, type FieldNormalizer, type InvalidReason, type Normalized } from './types.js';
export { foldText, normalizeText } from './text.js';
export { plainForms, removeInvisible } from './unicode-forms.js';
export {
  nameSuffix, normalizeFamilyName, normalizeGivenName, normalizeMiddleName, splitFullName,
  type NameSuffix, type SplitName,
} from './names.js';
export { isSupportedDateFormat, normalizeDate, pivotTwoDigitYear } from './dates.js';
export { DEFAULT_PLAUSIBLE_YEARS, MAX_PLAUSIBLE_YEAR, MIN_PLAUSIBLE_YEAR, type PlausibleYears } from './calendar.js';
export { SPREADSHEET_SERIAL_FORMATS, isSpreadsheetSerialFormat, spreadsheetSerialDate, type SpreadsheetSerialFormat } from './spreadsheet-dates.js';
export { normalizeSex, type AdministrativeGender } from './sex.js';
export { normalizePhone } from './phone.js';
export { normalizeEmail } from './email.js';
export { normalizeCity, normalizePostcode, normalizeState, normalizeStreetAddress, normalizeStreetNumber } from './address.js';
export {
  CHECK_DIGIT_SCHEMES, checkDigitValid, luhnValid, normalizeCheckedIdentifier, normalizeIdentifier,
  type CheckDigitScheme, type NormalizedIdentifier,
} from './identifiers.js';
export { isPlaceholderValue, mayStartWholeName, placeholderName, SENTINEL_BIRTH_DATES, type PlaceholderKind, type PlaceholderName } from './placeholders.js';
export { NORMALIZERS, isNormalizerName, type NormalizerName } from './registry.js';
