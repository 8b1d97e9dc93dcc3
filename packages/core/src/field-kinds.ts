import type { BlockingRule } from '@mpi/blocking';
import {
  birthDateComparison,
  cityComparison,
  emailComparison,
  familyNameComparison,
  givenNameComparison,
  identifierComparison,
  middleNameComparison,
  phoneComparison,
  postcodeComparison,
  sexComparison,
  stateComparison,
  streetAddressComparison,
  streetNumberComparison,
  textComparison,
  type Comparison,
} from '@mpi/scoring';
import {
  normalizeCity,
  normalizeDate,
  normalizeEmail,
  normalizeFamilyName,
  normalizeGivenName,
  normalizeIdentifier,
  normalizeMiddleName,
  normalizePhone,
  normalizePostcode,
  normalizeSex,
  normalizeState,
  normalizeStreetAddress,
  normalizeStreetNumber,
  normalizeText,
  splitFullName,
  type Normalized,
} from './normalize/index.js';
import type { FieldKind, FieldOptions } from './settings.js';

/** Normalized values for the logical fields a column feeds, or the reason the raw value is unusable. */
export type FieldValues = { readonly values: readonly string[] } | { readonly invalid: string };

/**
 * What the engine knows about a field kind: which logical fields of the record
 * table it feeds, how to normalize it, and how to compare it by default.
 * Person attributes are unified across sources under the kind's name, so a
 * "surname" column in one source and "last_name" in another meet in `family_name`.
 */
interface FieldKindDefinition {
  targets(column: string): readonly string[];
  normalize(raw: string, options: FieldOptions, defaultCountry: string): FieldValues;
  comparison(field: string, present: ReadonlySet<string>): Comparison;
}

function single(normalize: (raw: string, options: FieldOptions, defaultCountry: string) => Normalized) {
  return (raw: string, options: FieldOptions, defaultCountry: string): FieldValues => {
    const result = normalize(raw, options, defaultCountry);
    return 'invalid' in result ? { invalid: result.invalid } : { values: [result.value] };
  };
}

const named = (field: string) => () => [field];
const ownColumn = (column: string) => [column];
const other = (present: ReadonlySet<string>, field: string) => (present.has(field) ? field : undefined);

const KINDS: Record<Exclude<FieldKind, 'ignore'>, FieldKindDefinition> = {
  given_name: {
    targets: named('given_name'),
    normalize: single(normalizeGivenName),
    comparison: (f, present) => givenNameComparison(f, { swappedWith: other(present, 'family_name') }),
  },
  family_name: {
    targets: named('family_name'),
    normalize: single(normalizeFamilyName),
    comparison: (f, present) => familyNameComparison(f, { swappedWith: other(present, 'given_name') }),
  },
  middle_name: { targets: named('middle_name'), normalize: single(normalizeMiddleName), comparison: middleNameComparison },
  full_name: {
    targets: () => ['given_name', 'middle_name', 'family_name'],
    normalize: (raw) => {
      const { given, middle, family } = splitFullName(raw);
      return { values: [given, middle, family] };
    },
    // full_name feeds given/middle/family; those fields carry the comparisons.
    comparison: () => {
      throw new Error('full_name has no comparison of its own');
    },
  },
  birth_date: {
    targets: named('birth_date'),
    normalize: single((raw, options) => normalizeDate(raw, options.format)),
    comparison: birthDateComparison,
  },
  sex: { targets: named('sex'), normalize: single(normalizeSex), comparison: sexComparison },
  street_number: { targets: named('street_number'), normalize: single(normalizeStreetNumber), comparison: streetNumberComparison },
  street_address: { targets: named('street_address'), normalize: single(normalizeStreetAddress), comparison: streetAddressComparison },
  city: { targets: named('city'), normalize: single(normalizeCity), comparison: cityComparison },
  state: { targets: named('state'), normalize: single(normalizeState), comparison: stateComparison },
  postcode: { targets: named('postcode'), normalize: single(normalizePostcode), comparison: postcodeComparison },
  phone: {
    targets: named('phone'),
    normalize: single((raw, options, country) => normalizePhone(raw, options.defaultCountry ?? country)),
    comparison: phoneComparison,
  },
  email: { targets: named('email'), normalize: single(normalizeEmail), comparison: emailComparison },
  national_id: { targets: named('national_id'), normalize: single(normalizeIdentifier), comparison: identifierComparison },
  identifier: { targets: ownColumn, normalize: single(normalizeIdentifier), comparison: identifierComparison },
  text: { targets: ownColumn, normalize: single(normalizeText), comparison: textComparison },
};

export function fieldKind(kind: Exclude<FieldKind, 'ignore'>): FieldKindDefinition {
  return KINDS[kind];
}

/**
 * Default comparisons: one per logical field present in the record table,
 * from the comparison library, in a stable order.
 */
export function defaultComparisons(fields: ReadonlyMap<string, FieldKind>): Comparison[] {
  const present = new Set(fields.keys());
  const comparisons: Comparison[] = [];
  for (const [field, kind] of fields) {
    if (kind === 'ignore' || kind === 'full_name') continue;
    const comparison = KINDS[kind].comparison(field, present);
    // Household evidence agrees (or, after a move, disagrees) as a block, so it
    // counts once: its strongest agreement and strongest disagreement. The family
    // name joins the group: relatives at one address share it, so "same family name
    // and same address" is barely stronger evidence than the address alone
    // (measured: generated population precision 0.93 -> 0.98; costs FEBRL recall
    // ~0.005 without national id, where names and address err independently).
    comparisons.push(HOUSEHOLD_KINDS.has(kind) || kind === 'family_name' ? { ...comparison, evidenceGroup: 'household' } : comparison);
  }
  return comparisons;
}

/**
 * Default blocking rules from the fields present. Together they aim for pair
 * completeness above 0.995 on records with typos, nicknames, swapped names and
 * moves, while keeping blocks small at 1M records: every rule pairs a
 * discriminating key (full date of birth, phonetic name pair, postcode) with a
 * second one, so no rule degenerates into "everyone born in 1970".
 */
export function defaultBlockingRules(fields: ReadonlySet<string>): BlockingRule[] {
  const candidates: BlockingRule[] = [
    { kind: 'key', name: 'national_id', keys: [{ column: 'national_id' }] },
    {
      // Unordered: given and family name swapped (a common registration slip) still pair.
      kind: 'key',
      name: 'given_name:doubleMetaphone & family_name:doubleMetaphone (either order)',
      unordered: true,
      keys: [
        { column: 'given_name', transform: 'doubleMetaphone' },
        { column: 'family_name', transform: 'doubleMetaphone' },
      ],
    },
    {
      kind: 'key',
      name: 'birth_date & given_name:prefix:1',
      keys: [{ column: 'birth_date' }, { column: 'given_name', transform: 'prefix:1' }],
    },
    {
      kind: 'key',
      name: 'birth_date & family_name:prefix:1',
      keys: [{ column: 'birth_date' }, { column: 'family_name', transform: 'prefix:1' }],
    },
    { kind: 'key', name: 'birth_date & postcode', keys: [{ column: 'birth_date' }, { column: 'postcode' }] },
    {
      kind: 'key',
      name: 'family_name:doubleMetaphone & postcode',
      keys: [{ column: 'family_name', transform: 'doubleMetaphone' }, { column: 'postcode' }],
    },
    {
      kind: 'key',
      name: 'family_name:doubleMetaphone & given_name:prefix:1',
      keys: [{ column: 'family_name', transform: 'doubleMetaphone' }, { column: 'given_name', transform: 'prefix:1' }],
    },
    {
      kind: 'key',
      name: 'family_name:doubleMetaphone & birth_date:year',
      keys: [{ column: 'family_name', transform: 'doubleMetaphone' }, { column: 'birth_date', transform: 'year' }],
    },
    { kind: 'key', name: 'postcode & street_number', keys: [{ column: 'postcode' }, { column: 'street_number' }] },
    { kind: 'key', name: 'city & street_number', keys: [{ column: 'city' }, { column: 'street_number' }] },
    {
      kind: 'key',
      name: 'postcode & street_address:firstToken',
      keys: [{ column: 'postcode' }, { column: 'street_address', transform: 'firstToken' }],
    },
    { kind: 'key', name: 'phone', keys: [{ column: 'phone' }] },
    { kind: 'key', name: 'email', keys: [{ column: 'email' }] },
  ];
  const usable = candidates.filter((rule) => rule.keys.every((key) => fields.has(key.column)));
  if (usable.length > 0) return usable;
  // Nothing the defaults know: fall back to a sorted neighbourhood over the first field.
  const first = [...fields][0];
  return first === undefined ? [] : [{ kind: 'sortedNeighbourhood', name: `sn(${first})`, keys: [{ column: first }], window: 10 }];
}

/**
 * Kinds that describe the person rather than where or how they are reached.
 * EM sessions train on blocking rules over these only: pairs that share an
 * address, phone or email are full of household members, and EM would learn
 * "household" as the match class (m of birth date "else" inflated, families merged).
 */
const PERSON_KINDS: ReadonlySet<FieldKind> = new Set(['given_name', 'family_name', 'middle_name', 'birth_date', 'sex', 'national_id']);

/** Whether EM may train on pairs of a blocking rule over these fields. */
export function isPersonRule(columns: readonly string[], fields: ReadonlyMap<string, FieldKind>): boolean {
  return columns.every((column) => PERSON_KINDS.has(fields.get(column) ?? 'ignore'));
}

/**
 * Kinds that household members share: where a person lives and how they are
 * reached. Among non-matches these agree together (one household, one address,
 * often one phone or family e-mail), so they are weak at telling relatives apart.
 */
const HOUSEHOLD_KINDS: ReadonlySet<FieldKind> = new Set(['street_number', 'street_address', 'city', 'state', 'postcode', 'phone', 'email']);

/** Whether a field holds household evidence (see HOUSEHOLD_KINDS). */
export function isHouseholdField(column: string, fields: ReadonlyMap<string, FieldKind>): boolean {
  return HOUSEHOLD_KINDS.has(fields.get(column) ?? 'ignore');
}
