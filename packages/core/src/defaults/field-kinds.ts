import type { BlockingRule, KeyPart } from '@mpi/blocking';
import {
  addressLine2Comparison,
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
  DEFAULT_PLAUSIBLE_YEARS,
  type Normalized,
  type PlausibleYears,
} from '../normalize/index.js';
import type { FieldKind, FieldOptions } from './field-kind-names.js';

/**
 * Normalized values for the logical fields a column feeds, or the reason the raw
 * value failed validation, with the canonical characters kept as evidence
 * (`values`) when there are any.
 */
export type FieldValues = { readonly values: readonly string[] } | { readonly invalid: string; readonly values?: readonly string[] };

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
    if (!('invalid' in result)) return { values: [result.value] };
    return result.value === '' ? { invalid: result.invalid } : { invalid: result.invalid, values: [result.value] };
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
    normalize: single((raw, options) => normalizeDate(raw, options.format, plausibleYears(options))),
    comparison: birthDateComparison,
  },
  sex: { targets: named('sex'), normalize: single(normalizeSex), comparison: sexComparison },
  street_number: { targets: named('street_number'), normalize: single(normalizeStreetNumber), comparison: streetNumberComparison },
  street_address: {
    targets: named('street_address'),
    normalize: single(normalizeStreetAddress),
    comparison: (f, present) => streetAddressComparison(f, { otherLine: other(present, 'address_line_2') }),
  },
  address_line_2: {
    targets: named('address_line_2'),
    normalize: single(normalizeStreetAddress),
    comparison: (f, present) => addressLine2Comparison(f, { otherLine: other(present, 'street_address') }),
  },
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

/** Kinds whose outright disagreement says two records are two people (see Comparison.demographic). */
const DEMOGRAPHIC_KINDS: ReadonlySet<FieldKind> = new Set(['given_name', 'birth_date', 'sex']);

/** The logical fields a column feeds: its `field` option, else its kind's (a full name always feeds given, middle and family name). */
export function fieldTargets(column: string, options: FieldOptions): readonly string[] {
  if (options.kind === 'ignore') return [];
  if (options.field !== undefined && options.kind !== 'full_name') return [options.field];
  return KINDS[options.kind].targets(column);
}

/** The plausible years of a date column: its earliestYear and latestYear, else the defaults. */
export function plausibleYears(options: FieldOptions): PlausibleYears {
  if (options.earliestYear === undefined && options.latestYear === undefined) return DEFAULT_PLAUSIBLE_YEARS;
  return { earliest: options.earliestYear ?? DEFAULT_PLAUSIBLE_YEARS.earliest, latest: options.latestYear ?? DEFAULT_PLAUSIBLE_YEARS.latest };
}

/**
 * Default comparisons: one per logical field present in the record table,
 * from the comparison library, in a stable order; a field with further value
 * columns (RecordTable.valueColumns) compares every pair of its values.
 */
export function defaultComparisons(fields: ReadonlyMap<string, FieldKind>, valueColumns: ReadonlyMap<string, readonly string[]> = new Map()): Comparison[] {
  const present = new Set(fields.keys());
  const comparisons: Comparison[] = [];
  for (const [field, kind] of fields) {
    if (kind === 'ignore' || kind === 'full_name') continue;
    const values = valueColumns.get(field);
    // A field with several values (home and cell phone) takes the best level over every pair of them.
    const comparison = values === undefined ? KINDS[kind].comparison(field, present) : { ...KINDS[kind].comparison(field, present), valueColumns: values };
    // Given name, birth date and sex say who the person is: disagreeing on them
    // outright vetoes what identifiers and addresses agree on (Comparison.demographic).
    const marked = DEMOGRAPHIC_KINDS.has(kind) ? { ...comparison, demographic: true } : comparison;
    // Household evidence agrees (or, after a move, disagrees) as a block, so it
    // counts once: its strongest agreement and strongest disagreement. The family
    // name joins the group: relatives at one address share it, so "same family name
    // and same address" is barely stronger evidence than the address alone
    // (measured: generated population precision 0.93 -> 0.98). Where the data holds
    // no households (FEBRL: names and address err independently) link() drops the
    // group after measuring it (see households.ts).
    comparisons.push(HOUSEHOLD_KINDS.has(kind) || kind === 'family_name' ? { ...marked, evidenceGroup: 'household' } : marked);
  }
  return comparisons;
}

const key = (column: string, transform?: KeyPart['transform']): KeyPart => (transform ? { column, transform } : { column });
const phonetic = (column: string) => key(column, 'doubleMetaphone');
const rule = (name: string, keys: KeyPart[], unordered = false): BlockingRule =>
  unordered ? { kind: 'key', name, keys, unordered } : { kind: 'key', name, keys };

/**
 * Default blocking rules from the fields present. Together they aim for pair
 * completeness above 0.995 on records with typos, nicknames, swapped names and
 * moves, while keeping blocks small at 1M records: every rule pairs a
 * discriminating key (full date of birth, phonetic name pair, postcode) with a
 * second one, so no rule degenerates into "everyone called Smith". Name pairs are
 * unordered so given and family names typed the wrong way round still meet.
 */
export function defaultBlockingRules(fields: ReadonlySet<string>): BlockingRule[] {
  const candidates: BlockingRule[] = [
    rule('national_id', [key('national_id')]),
    rule('{given_name, family_name}:doubleMetaphone & birth_date:year', [phonetic('given_name'), phonetic('family_name'), key('birth_date', 'year')], true),
    rule('{given_name, family_name}:doubleMetaphone & postcode', [phonetic('given_name'), phonetic('family_name'), key('postcode')], true),
    rule('birth_date & given_name:prefix:1', [key('birth_date'), key('given_name', 'prefix:1')]),
    rule('birth_date & family_name:prefix:1', [key('birth_date'), key('family_name', 'prefix:1')]),
    rule('birth_date & postcode', [key('birth_date'), key('postcode')]),
    rule('family_name:doubleMetaphone & postcode', [phonetic('family_name'), key('postcode')]),
    rule('family_name:doubleMetaphone & given_name:prefix:1 & birth_date:yearMonth', [phonetic('family_name'), key('given_name', 'prefix:1'), key('birth_date', 'yearMonth')]),
    rule('postcode & street_number', [key('postcode'), key('street_number')]),
    rule('city & street_number', [key('city'), key('street_number')]),
    rule('postcode & street_address:firstToken', [key('postcode'), key('street_address', 'firstToken')]),
    rule('phone', [key('phone')]),
    rule('email', [key('email')]),
  ];
  const usable = candidates.filter((r) => r.keys.every((k) => fields.has(k.column)));
  if (usable.length > 0) return usable;
  // Nothing the defaults know: fall back to a sorted neighbourhood over the first field.
  const first = [...fields][0];
  return first === undefined ? [] : [{ kind: 'sortedNeighbourhood', name: `sn(${first})`, keys: [{ column: first }], window: 10 }];
}

/**
 * Tighter variants of the default rules whose blocks grow with the data: a full
 * birth date is shared by ~27 records per 1M people, so "same birth date and
 * initial" makes 1.4 pairs per record at 1M and 13.6 at 10M (measured: 138M of
 * 332M pairs). link() uses the variant when a default rule would produce more
 * than BASE_RULE_PAIRS_PER_RECORD pairs per record.
 */
const TIGHTER: Readonly<Record<string, BlockingRule>> = {
  'birth_date & given_name:prefix:1': rule('birth_date & given_name:doubleMetaphone', [key('birth_date'), phonetic('given_name')]),
  'birth_date & family_name:prefix:1': rule('birth_date & family_name:doubleMetaphone', [key('birth_date'), phonetic('family_name')]),
};

/** The scale-tier variant of a default blocking rule, if it has one. */
export function tighterBlockingRule(rule: BlockingRule): BlockingRule | undefined {
  return TIGHTER[rule.name ?? ''];
}

/** Pairs per record a default rule may produce before its tighter variant replaces it. */
export const BASE_RULE_PAIRS_PER_RECORD = 4;

/**
 * Broad rules: they recover the last pairs with errors in several fields (a typo
 * in the birth year and a moved address; a replaced given name and a missing
 * birth date), but their blocks grow with the square of value frequencies.
 * link() keeps each only when it would produce at most
 * BROAD_RULE_PAIRS_PER_RECORD pairs per record or BROAD_RULE_MIN_PAIRS pairs,
 * counted before any pair is generated: all of them on a few thousand records,
 * none on a million. The single-field rules come last; on FEBRL without the
 * national id they lift pair completeness from 0.980 to 0.997 (dataset3) and
 * from 0.9954 to 1.0000 (dataset4) for about 40-60k more pairs.
 */
export function broadBlockingRules(fields: ReadonlySet<string>): BlockingRule[] {
  return [
    rule('{given_name, family_name}:doubleMetaphone', [phonetic('given_name'), phonetic('family_name')], true),
    rule('family_name:doubleMetaphone & given_name:prefix:1', [phonetic('family_name'), key('given_name', 'prefix:1')]),
    rule('family_name:doubleMetaphone & birth_date:year', [phonetic('family_name'), key('birth_date', 'year')]),
    rule('family_name:doubleMetaphone & birth_date:monthDay', [phonetic('family_name'), key('birth_date', 'monthDay')]),
    rule('given_name:doubleMetaphone & birth_date:monthDay', [phonetic('given_name'), key('birth_date', 'monthDay')]),
    rule('family_name:doubleMetaphone & street_number', [phonetic('family_name'), key('street_number')]),
    rule('birth_date', [key('birth_date')]),
    rule('street_address', [key('street_address')]),
    rule('given_name & family_name:prefix:1', [key('given_name'), key('family_name', 'prefix:1')]),
    rule('city', [key('city')]),
    rule('postcode', [key('postcode')]),
  ].filter((r) => r.keys.every((k) => fields.has(k.column)));
}

/** Pairs per record a broad default rule may add before it is left out. */
export const BROAD_RULE_PAIRS_PER_RECORD = 2;

/** Pairs any broad rule may add whatever the record count: comparing 100k pairs takes about 0.1 s on one thread. */
export const BROAD_RULE_MIN_PAIRS = 100_000;

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
// address_line_2 stays outside: where it is filled it is rarer and more specific
// than the street (a named building, estate or farm), and as its own evidence it
// lets two swapped lines agree (measured: in the group, FEBRL recall without
// national id fell 0.99 -> 0.95; outside, 0.986 -> 0.991).
const HOUSEHOLD_KINDS: ReadonlySet<FieldKind> = new Set(['street_number', 'street_address', 'city', 'state', 'postcode', 'phone', 'email']);

/** Whether a field holds household evidence (see HOUSEHOLD_KINDS). */
export function isHouseholdField(column: string, fields: ReadonlyMap<string, FieldKind>): boolean {
  return HOUSEHOLD_KINDS.has(fields.get(column) ?? 'ignore');
}
