import { foldText } from './text.js';
import { MISSING, asRawString, invalid, type Normalized } from './types.js';

/** FHIR administrative-gender codes. */
export type AdministrativeGender = 'male' | 'female' | 'other' | 'unknown';

// Numeric codes follow ISO/IEC 5218 and many registries (1 male, 2 female,
// 0/9 not known); letter codes include HL7 v2 table 0001 (A ambiguous, N not
// applicable), mapped as in the FHIR v2 concept map.
const SEX_CODES = new Map<string, AdministrativeGender>([
  ['m', 'male'], ['male', 'male'], ['man', 'male'], ['1', 'male'],
  ['f', 'female'], ['female', 'female'], ['woman', 'female'], ['2', 'female'],
  ['u', 'unknown'], ['unknown', 'unknown'], ['unk', 'unknown'], ['not known', 'unknown'], ['not stated', 'unknown'],
  ['9', 'unknown'], ['0', 'unknown'], ['n', 'unknown'],
  ['o', 'other'], ['other', 'other'], ['x', 'other'], ['a', 'other'],
]);

const BAD_SEX = invalid('bad-sex-code');

/** Resolved results are shared: four frozen objects instead of one per record. */
const RESULTS = new Map<AdministrativeGender, Normalized>(
  (['male', 'female', 'other', 'unknown'] as const).map((g) => [g, Object.freeze({ value: g })]),
);

/**
 * Sex/gender code to FHIR administrative-gender ('male' | 'female' | 'other' |
 * 'unknown'), case-insensitive: M/F/male/female/man/woman/1/2; U/unknown/0/9/N
 * -> 'unknown'; O/other/X/A -> 'other'; anything else is invalid 'bad-sex-code'.
 */
export function normalizeSex(raw: string): Normalized {
  const s = asRawString(raw);
  let key = s.trim().toLowerCase();
  if (key === '') return MISSING;
  let gender = SEX_CODES.get(key);
  if (gender === undefined) {
    key = foldText(s, false); // "M.", "Not Known", full-width letters
    if (key === '') return BAD_SEX;
    gender = SEX_CODES.get(key);
  }
  return gender === undefined ? BAD_SEX : RESULTS.get(gender)!;
}
