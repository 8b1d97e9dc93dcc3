import type { KeyTransform } from '@mpi/blocking';
import type { LinkMode } from '@mpi/types';
import type { LevelTest } from '@mpi/scoring';
import type { ClusteringMethod } from '../defaults/clustering-method.js';
import { FIELD_KINDS } from '../defaults/field-kind-names.js';
import { DEFAULTS } from './defaults.js';
import { MIN_PLAUSIBLE_YEAR } from '../normalize/calendar.js';

/**
 * The JSON Schema (draft 2020-12) of the settings: the one description of their
 * shape, used by validateSettings and published as data/settings.schema.json
 * (a test keeps the file equal to this object; `node scripts/settings-schema.mjs`
 * in packages/core rewrites it after a build). What a schema cannot say, such
 * as whether a date format parses or a blocking column is among the fields, is
 * checked by semantics.ts.
 *
 * Each enumeration below is a Record over the engine's own type, so adding a
 * mode, a clustering method, a key transform or a level test without
 * describing it here fails to compile.
 */

const MODES: Record<LinkMode, string> = {
  dedupe: 'every pair of records',
  link: 'only pairs of records from different sources',
  link_and_dedupe: 'every pair, named for several sources',
};

const CLUSTERING: Record<ClusteringMethod, string> = {
  averageLinkage:
    'a component holding a pair scored below the threshold is re-clustered, strongest links first, and two groups join only if the mean match probability between them reaches the threshold',
  connectedComponents: 'the plain transitive closure of the linked pairs',
};

type FixedTransform = Exclude<KeyTransform, `prefix:${number}` | `suffix:${number}`>;

const TRANSFORMS: Record<FixedTransform, string> = {
  exact: 'the normalized value (the default)',
  doubleMetaphone: 'primary Double Metaphone code of the first token',
  soundex: 'Soundex code',
  firstToken: 'first space-separated token',
  lastToken: 'last space-separated token',
  sortedTokens: 'tokens sorted (robust to word order)',
  year: 'YYYY of a date',
  yearMonth: 'YYYYMM of a date',
  monthDay: 'MMDD of a date',
};

/** The transforms without a parameter, for messages. */
export const FIXED_TRANSFORMS: readonly string[] = Object.keys(TRANSFORMS);

/**
 * Transform names the blocking package accepts: the fixed ones, and prefix:N /
 * suffix:N with N a positive integer (at most 15 digits, so a safe integer).
 */
export const KEY_TRANSFORM_PATTERN = `^(${FIXED_TRANSFORMS.join('|')}|(prefix|suffix):[1-9][0-9]{0,14})$`;

/** The `field` option, which every kind but full_name reads. */
const field = {
  type: 'string',
  minLength: 1,
  description:
    'The logical field this column feeds (default: the kind name; for identifier and text, the column name). Several columns of a source feeding one field (home and cell phone, two addresses, alias names) are its values: a pair takes the best level over every pair of values.',
};

const probability = (description: string) => ({ type: 'number', minimum: 0, maximum: 1, description });

type Parameters = Record<string, object>;

/** A level test's description, with the parameters it needs and those it may have. */
const test = (description: string, required: Parameters = {}, optional: Parameters = {}) => ({
  description,
  parameters: { ...required, ...optional },
  required: Object.keys(required),
});

const SIMILARITY = { threshold: probability('smallest similarity that holds, in [0, 1]') };
const EDIT_DISTANCE = { maxDistance: { type: 'integer', minimum: 0, description: 'largest edit distance that holds' } };
const OTHER_FIELD = { other: { type: 'string', minLength: 1, description: 'the logical field compared with' } };
const FUZZY_OTHER = {
  threshold: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Jaro-Winkler similarity in (0, 1] to reach instead of equality' },
};

/** Level tests by type: what they test and their parameters. */
const LEVEL_TESTS: Record<LevelTest['type'], ReturnType<typeof test>> = {
  null: test('either value missing; must be levels[0], carries no weight'),
  exact: test('equal values'),
  nickname: test('equal after mapping both given names to their canonical names (nickname table)'),
  jaroWinkler: test('Jaro-Winkler similarity at least `threshold`', SIMILARITY),
  levenshtein: test('edit distance at most `maxDistance`', EDIT_DISTANCE),
  damerauLevenshtein: test('edit distance counting transpositions at most `maxDistance`', EDIT_DISTANCE),
  doubleMetaphone: test('a Double Metaphone code (primary or secondary) in common'),
  initial: test("one side is a single letter equal to the other's first letter"),
  swapped: test('this field of each record equals field `other` of the other record (given and family names swapped)', OTHER_FIELD, FUZZY_OTHER),
  crossMatch: test('this field of one record equals field `other` of the other record, in at least one direction', OTHER_FIELD, FUZZY_OTHER),
  dateTransposed: test('same year, day and month swapped'),
  dateWithinDays: test('dates at most `days` apart', { days: { type: 'number', minimum: 0, description: 'largest difference in days that holds' } }),
  dateYearOffByOne: test('same month and day, years one apart'),
  dateOneDigit: test('same length, exactly one character differs'),
  prefix: test('the first `length` characters agree', { length: { type: 'integer', minimum: 1, description: 'characters compared' } }),
  tokenOverlap: test('Jaccard similarity of the space-separated tokens at least `threshold`', SIMILARITY),
  else: test('always holds; must be the last level'),
};

const levelTest = {
  type: 'object',
  description: 'The test of a level. Levels are tried in order; the first that holds is the level of the pair.',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: Object.entries(LEVEL_TESTS).map(([type, test]) => ({
    type: 'object',
    description: test.description,
    properties: { type: { const: type, description: 'the kind of test' }, ...test.parameters },
    required: ['type', ...test.required],
    additionalProperties: false,
  })),
};

/** The properties both kinds of blocking rule have. */
const ruleParts = (kind: string, keys: string) => ({
  kind: { const: kind, description: 'the kind of rule' },
  name: { type: 'string', description: 'Name in reports; default: built from the key parts.' },
  keys: { type: 'array', minItems: 1, items: { $ref: '#/$defs/keyPart' }, description: keys },
});

const fieldKindNames = FIELD_KINDS.filter((kind) => kind !== 'birth_date' && kind !== 'phone');

export const SETTINGS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'MPI linkage settings',
  description:
    'Settings of link() and `mpi link`: which column holds the record id, what each column holds, and optionally how to block, compare, train and cluster. Only recordId and fields are required.',
  type: 'object',
  required: ['recordId', 'fields'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'The JSON Schema this file follows (for editors); not used by the engine.' },
    recordId: { type: 'string', minLength: 1, description: 'Column holding the record id, unique within a source.' },
    mode: {
      enum: Object.keys(MODES),
      default: DEFAULTS.mode,
      description: `Which pairs are compared: ${Object.entries(MODES).map(([mode, what]) => `${mode}: ${what}`).join('; ')}.`,
    },
    fields: { $ref: '#/$defs/fields', description: 'What each column holds: column name -> field kind, or a kind with options. Columns not listed are ignored.' },
    sources: {
      type: 'object',
      description: 'Overrides per source name, merged over recordId and fields: each key must name a source given to link().',
      additionalProperties: { $ref: '#/$defs/sourceSettings' },
    },
    blockingRules: {
      type: 'array',
      minItems: 1,
      items: { $ref: '#/$defs/blockingRule' },
      description: 'Blocking rules over logical field names; a pair is a candidate when any rule pairs it. Omit for rules derived from the field kinds.',
    },
    trainingRules: {
      type: 'array',
      minItems: 1,
      items: { $ref: '#/$defs/blockingRule' },
      description: 'Blocking rules whose pairs EM trains m on, one session each. Omit for the blocking rules over person fields (names, birth date, national id).',
    },
    comparisons: {
      type: 'array',
      minItems: 1,
      items: { $ref: '#/$defs/comparison' },
      description: 'Comparisons with their levels. Omit for one per logical field from the comparison library.',
    },
    threshold: probability('Match probability at or above which two records are linked, in [0, 1].'),
    clustering: {
      enum: Object.keys(CLUSTERING),
      default: DEFAULTS.clustering,
      description: `How scored pairs become identity groups: ${Object.entries(CLUSTERING).map(([method, what]) => `${method}: ${what}`).join('; ')}.`,
    },
    em: {
      type: 'object',
      description: 'Options of the EM training of m.',
      additionalProperties: false,
      properties: {
        maxIterations: { type: 'integer', minimum: 1, description: 'Most EM iterations per training session (default 200).' },
        tolerance: { type: 'number', exclusiveMinimum: 0, description: 'EM has converged when no m or lambda changes by this much (default 1e-4).' },
      },
    },
    uSampleSize: {
      type: 'integer',
      minimum: 1,
      maximum: 1e9,
      description: 'Random pairs sampled to estimate u (default: 2 per record, from 20,000 to 200,000).',
    },
    seed: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1, default: DEFAULTS.seed, description: 'Seed of every random choice.' },
    maxPairs: {
      type: 'integer',
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      // No fixed default: unset, the budget is sized to the memory the process can still take (defaults/pair-budget.ts).
      description:
        'Refuse blocking that would produce more candidate pairs than this (the error names the rule), before any pair is generated. Unset: sized to the memory the process can still take, over the bytes a pair holds at the peak.',
    },
    invalidValues: {
      enum: ['flag', 'error'],
      default: DEFAULTS.invalidValues,
      description:
        'Values that fail validation (impossible dates, bad codes): flag keeps the record and reports the value, keeping its readable characters as evidence (an impossible date keeps its digits) or else treating it as missing; error fails.',
    },
    defaultCountry: {
      type: 'string',
      default: DEFAULTS.defaultCountry,
      description: 'Country of phone numbers written without a country code: an ISO 3166-1 alpha-2 code the phone library supports.',
    },
  },
  $defs: {
    fieldKind: {
      enum: [...FIELD_KINDS],
      description: 'What a column holds; the kind picks the normalizer, the default comparison and the default blocking keys. ignore leaves the column out.',
    },
    fields: {
      type: 'object',
      description: 'Column name -> field kind, or a kind with options. Columns not listed are ignored. Person attributes meet under the kind name across sources; identifier and text fields keep their column name.',
      additionalProperties: { $ref: '#/$defs/fieldSpec' },
    },
    fieldSpec: {
      description: 'A field kind name, or an object {"kind": ...} with the options of that kind.',
      if: { type: 'string' },
      then: { $ref: '#/$defs/fieldKind' },
      else: { $ref: '#/$defs/fieldOptions' },
    },
    fieldOptions: {
      type: 'object',
      description: 'A field kind with options: format, earliestYear and latestYear for birth_date, defaultCountry for phone, field for any kind.',
      required: ['kind'],
      discriminator: { propertyName: 'kind' },
      oneOf: [
        {
          type: 'object',
          description: 'A date of birth.',
          properties: {
            kind: { const: 'birth_date', description: 'the field kind' },
            format: {
              type: 'string',
              description:
                'How the dates are written, e.g. "MM/DD/YYYY": tokens YYYY, YY, MM, M, DD, D, MMM, MMMM with any separators; "excel" (or "excel-1904") for spreadsheet serial day numbers (1990-05-17 is 33010); "auto" (or omitted) recognises the common forms, and a column most of whose values are serial day numbers.',
            },
            earliestYear: {
              type: 'integer',
              default: MIN_PLAUSIBLE_YEAR,
              description: 'Dates before this year are flagged implausible-year; the value is kept as evidence and reported.',
            },
            latestYear: {
              type: 'integer',
              description: 'Dates after this year are flagged implausible-year; the value is kept as evidence and reported. Default: next year.',
            },
            field,
          },
          required: ['kind'],
          additionalProperties: false,
        },
        {
          type: 'object',
          description: 'A phone number.',
          properties: {
            kind: { const: 'phone', description: 'the field kind' },
            defaultCountry: { type: 'string', description: 'Country of numbers without a country code in this column (ISO 3166-1 alpha-2); default: the top-level defaultCountry.' },
            field,
          },
          required: ['kind'],
          additionalProperties: false,
        },
        {
          type: 'object',
          description: 'A field kind without options.',
          properties: { kind: { enum: fieldKindNames, description: 'the field kind' }, field },
          required: ['kind'],
          additionalProperties: false,
        },
      ],
    },
    sourceSettings: {
      type: 'object',
      description: "One source's differences: another record-id column, other or extra columns, other formats.",
      additionalProperties: false,
      properties: {
        recordId: { type: 'string', minLength: 1, description: 'Column holding the record id in this source.' },
        fields: { $ref: '#/$defs/fields', description: 'Columns of this source, merged over the top-level fields (a column set to ignore here is left out).' },
      },
    },
    keyPart: {
      type: 'object',
      description: 'One part of a blocking key: a logical field and how its value becomes the key.',
      required: ['column'],
      additionalProperties: false,
      properties: {
        column: { type: 'string', minLength: 1, description: 'A logical field: a kind name such as family_name, or the column name of an identifier or text field.' },
        transform: {
          type: 'string',
          pattern: KEY_TRANSFORM_PATTERN,
          description: `How the value becomes the key: ${Object.entries(TRANSFORMS).map(([name, what]) => `${name}: ${what}`).join('; ')}; prefix:N / suffix:N: the first / last N characters.`,
        },
      },
    },
    blockingRule: {
      type: 'object',
      description: 'A blocking rule: key (records pair when every key part is present and equal) or sortedNeighbourhood (records sorted by the key pair with the next window - 1).',
      required: ['kind'],
      discriminator: { propertyName: 'kind' },
      oneOf: [
        {
          type: 'object',
          description: 'Records pair when every key part is present on both and equal.',
          required: ['kind', 'keys'],
          additionalProperties: false,
          properties: {
            ...ruleParts('key', 'The key parts.'),
            unordered: { type: 'boolean', description: 'Key parts match in any order (given and family name swapped still pair).' },
          },
        },
        {
          type: 'object',
          description: 'Records sorted by the key; each pairs with the next window - 1 records in that order.',
          required: ['kind', 'keys', 'window'],
          additionalProperties: false,
          properties: {
            ...ruleParts('sortedNeighbourhood', 'The sort key parts.'),
            window: { type: 'integer', minimum: 2, maximum: Number.MAX_SAFE_INTEGER, description: 'Records in one window, at least 2.' },
          },
        },
      ],
    },
    comparison: {
      type: 'object',
      description: 'A comparison of one logical field between the two records of a pair, with ordered levels.',
      required: ['name', 'column', 'levels'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, description: 'Unique name, used in explanations and reports.' },
        column: { type: 'string', minLength: 1, description: 'The logical field compared.' },
        valueColumns: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
          description:
            'Further table columns holding other values of the field (a field fed by several columns has them as column#2, column#3...): a pair takes the best level over every pair of its values.',
        },
        levels: {
          type: 'array',
          minItems: 2,
          maxItems: 255,
          items: { $ref: '#/$defs/level' },
          description: 'Levels tried in order: levels[0] the null level, the last the else level (at most 255).',
        },
        evidenceGroup: {
          type: 'string',
          minLength: 1,
          description: 'Comparisons of one group are dependent evidence: only their strongest agreement and strongest disagreement count.',
        },
        demographic: {
          type: 'boolean',
          description:
            'The comparison says who the person is (given name, birth date, sex): when three demographic comparisons disagree outright and none agrees, the positive weights of the other comparisons do not count.',
        },
      },
    },
    level: {
      type: 'object',
      description: 'A named level of a comparison.',
      required: ['label', 'test'],
      additionalProperties: false,
      properties: {
        label: { type: 'string', description: 'Name of the level in reports, e.g. "Jaro-Winkler >= 0.92".' },
        test: { $ref: '#/$defs/levelTest', description: 'What must hold for a pair to fall in this level.' },
        tfAdjustment: { type: 'boolean', description: 'Adjust the weight for the frequency of the value when a pair falls in this level.' },
      },
    },
    levelTest,
  },
};

/** The text of the published data/settings.schema.json. */
export function settingsSchemaText(): string {
  return JSON.stringify(SETTINGS_SCHEMA, null, 2) + '\n';
}
