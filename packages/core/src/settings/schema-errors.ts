import type { ErrorObject } from 'ajv/dist/2020.js';
import { didYouMean, nearestName } from './nearest-name.js';
import type { SettingsIssue, SettingsIssueCode } from './issues.js';
import { FIXED_TRANSFORMS } from './schema.js';

/**
 * Ajv's errors as settings issues: each at the pointer of the value at fault
 * (a missing or unknown key gets its own path, not its parent's), with a
 * message that says what would be right. Ajv's own messages ("must NOT have
 * additional properties") name neither the key nor the fix.
 */

type Schema = Readonly<Record<string, unknown>>;

/** Options that only one field kind reads, for the message when another kind has one. */
const OPTION_KIND: Readonly<Record<string, string>> = { format: 'birth_date', earliestYear: 'birth_date', latestYear: 'birth_date', defaultCountry: 'phone' };

/** Top-level lists where an empty list is a mistake and leaving the key out gives the defaults. */
const DEFAULTED_LISTS = new Set(['/blockingRules', '/trainingRules', '/comparisons']);

const quoted = (value: unknown) => JSON.stringify(value);

function childPath(path: string, key: string): string {
  return `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** A value not among the allowed names: named by what it is, with the nearest allowed name. */
function unknownValue(value: unknown, allowed: readonly string[], what: string | undefined): string {
  const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
  if (what !== undefined) return `unknown ${what} ${quoted(value)}${hint} (known: ${allowed.join(', ')})`;
  return `must be one of ${allowed.join(', ')}${hint}`;
}

/** What a list of names is, by the schema it comes from. */
function valueKind(schemaPath: string): string | undefined {
  if (schemaPath.includes('/fieldKind/') || schemaPath.includes('/fieldOptions/')) return 'field kind';
  if (schemaPath.includes('/levelTest/')) return 'level test';
  return undefined;
}

/** The values a discriminator's tag may take, from the branches of its oneOf. */
function tagValues(parent: Schema, tag: string): string[] {
  const branches = (parent.oneOf ?? []) as Schema[];
  return branches.flatMap((branch) => {
    const property = ((branch.properties ?? {}) as Record<string, Schema>)[tag] ?? {};
    return property.const !== undefined ? [String(property.const)] : ((property.enum ?? []) as string[]);
  });
}

/**
 * "must be a number in [0, 1]", "... of at least 1", "... above 0": the range a
 * number schema allows. Both ends are named when the upper one is a readable
 * number; a bound such as Number.MAX_SAFE_INTEGER only when it is the one broken.
 */
function rangeOf(schema: Schema, keyword: string): string {
  const low = schema.exclusiveMinimum ?? schema.minimum;
  const high = schema.exclusiveMaximum ?? schema.maximum;
  const whole = schema.type === 'integer' ? 'an integer' : 'a number';
  if (low !== undefined && high !== undefined && Number(high) <= 1e6) {
    const open = schema.exclusiveMinimum !== undefined ? '(' : '[';
    const close = schema.exclusiveMaximum !== undefined ? ')' : ']';
    return `must be ${whole} in ${open}${low}, ${high}${close}`;
  }
  if (keyword === 'minimum') return `must be ${whole} of at least ${low}`;
  if (keyword === 'exclusiveMinimum') return `must be ${whole} above ${low}`;
  if (keyword === 'maximum') return `must be ${whole} of at most ${high}`;
  return `must be ${whole} below ${high}`;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  integer: 'an integer (a whole number)',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

function typeMessage(error: ErrorObject): string {
  if (error.schemaPath.includes('/fieldOptions/')) return 'must be a field kind name or an object {"kind": ...}';
  const types = String(error.params.type).split(',');
  return `must be ${types.map((type) => TYPE_NAMES[type] ?? type).join(' or ')}`;
}

function issue(path: string, code: SettingsIssueCode, message: string): SettingsIssue {
  return { path, code, message };
}

/** One ajv error as an issue; undefined for errors that only repeat the ones beneath them. */
function translate(error: ErrorObject): SettingsIssue | undefined {
  const at = error.instancePath;
  const parent = (error.parentSchema ?? {}) as Schema;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as Schema);
      const path = childPath(at, key);
      const kind = OPTION_KIND[key];
      if (kind !== undefined && error.schemaPath.includes('/fieldOptions/')) {
        return issue(path, 'OPTION_NOT_USED', `only a ${kind} field reads ${key}`);
      }
      const nearest = nearestName(key, known);
      return issue(path, 'UNKNOWN_KEY', nearest !== undefined ? `unknown key, did you mean ${nearest}?` : `unknown key (known keys: ${known.join(', ')})`);
    }
    case 'required':
      return issue(childPath(at, String(error.params.missingProperty)), 'REQUIRED', 'is required');
    case 'type':
      return issue(at, 'TYPE', typeMessage(error));
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      return issue(at, 'UNKNOWN_VALUE', unknownValue(error.data, allowed, valueKind(error.schemaPath)));
    }
    case 'const':
      return issue(at, 'UNKNOWN_VALUE', `must be ${quoted(error.params.allowedValue)}`);
    case 'discriminator': {
      const tag = String(error.params.tag);
      const path = childPath(at, tag);
      const value = (error.data as Record<string, unknown> | null)?.[tag];
      if (error.params.error === 'tag') return value === undefined ? issue(path, 'REQUIRED', 'is required') : issue(path, 'TYPE', 'must be a string');
      const allowed = tagValues(parent, tag);
      return issue(path, 'UNKNOWN_VALUE', unknownValue(value, allowed, valueKind(error.schemaPath)));
    }
    case 'pattern':
      // The one pattern of the schema is the key transform's.
      return issue(at, 'UNKNOWN_VALUE', unknownValue(error.data, [...FIXED_TRANSFORMS, 'prefix:N', 'suffix:N'], 'key transform'));
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return issue(at, 'OUT_OF_RANGE', rangeOf(parent, error.keyword));
    case 'minItems': {
      const limit = Number(error.params.limit);
      const defaults = DEFAULTED_LISTS.has(at) ? '; leave the key out for the defaults' : '';
      return issue(at, 'OUT_OF_RANGE', `must have at least ${limit} item${limit === 1 ? '' : 's'}${defaults}`);
    }
    case 'maxItems':
      return issue(at, 'OUT_OF_RANGE', `must have at most ${error.params.limit} items`);
    case 'minLength':
      return issue(at, 'OUT_OF_RANGE', 'must not be empty');
    case 'if':
    case 'oneOf':
    case 'anyOf':
      // Summaries of the branch errors, which are reported themselves.
      return undefined;
    default:
      return issue(at, 'UNKNOWN_VALUE', error.message ?? 'is not valid');
  }
}

/** Ajv's errors as issues, each problem once. */
export function schemaIssues(errors: readonly ErrorObject[]): SettingsIssue[] {
  const seen = new Set<string>();
  const issues: SettingsIssue[] = [];
  for (const error of errors) {
    const found = translate(error);
    if (found === undefined) continue;
    const key = `${found.path}\u0000${found.code}\u0000${found.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(found);
  }
  return issues;
}
