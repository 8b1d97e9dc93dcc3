import { SettingsError } from '../errors.js';

/**
 * What is wrong with a setting, one stable code per kind of problem, so callers
 * and tests need not match message text.
 */
export type SettingsIssueCode =
  /** A key the schema does not know (often a typo: the message suggests the nearest known key). */
  | 'UNKNOWN_KEY'
  /** A required key is missing. */
  | 'REQUIRED'
  /** A value of the wrong JSON type (a string where a number is meant, a fraction where a count is meant). */
  | 'TYPE'
  /** A value that is not one of the allowed names (mode, field kind, transform, level test...). */
  | 'UNKNOWN_VALUE'
  /** A number outside its range, an empty string or list, too many items. */
  | 'OUT_OF_RANGE'
  /** A date format the date parser does not accept. */
  | 'DATE_FORMAT'
  /** A phone country the phone library does not support. */
  | 'COUNTRY'
  /** An option that the field's kind does not read (a date format on a phone column). */
  | 'OPTION_NOT_USED'
  /** A blocking or comparison column that no declared field feeds. */
  | 'UNKNOWN_FIELD'
  /** An override for a source that is not given. */
  | 'UNKNOWN_SOURCE'
  /** Comparison levels out of order: levels[0] must be the null level, the last the else level. */
  | 'LEVEL_ORDER'
  /** Two comparisons with one name. */
  | 'DUPLICATE_NAME'
  /** The record-id column also declared as a matching field. */
  | 'RECORD_ID_FIELD'
  /** No field to match on. */
  | 'NO_FIELDS'
  /** A key repeated in one object of the settings file (JSON.parse would keep the last silently). */
  | 'DUPLICATE_KEY';

/** One problem, located by a JSON Pointer (RFC 6901) into the settings, e.g. "/blockingRules/0/keys/1/transform". */
export interface SettingsIssue {
  readonly path: string;
  readonly code: SettingsIssueCode;
  readonly message: string;
}

/** A JSON Pointer from path segments: "~" and "/" inside a key are escaped as ~0 and ~1. */
export function pointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

/**
 * A pointer as people read it in a message: fields.dob, blockingRules[0].keys[1],
 * fields["date of birth"]. Messages keep the dotted form the engine's other
 * settings errors use; `path` keeps the exact pointer.
 */
export function readablePath(path: string): string {
  if (path === '') return '(root)';
  let out = '';
  for (const raw of path.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9]\d*)$/.test(segment)) out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Every problem found in a settings object, at once. `path` is the first
 * problem's pointer; the message has one line per problem.
 */
export class InvalidSettingsError extends SettingsError {
  readonly issues: readonly SettingsIssue[];
  constructor(issues: readonly SettingsIssue[]) {
    super(issues[0].path, issues[0].message);
    this.issues = issues;
    this.message = issues.map((issue) => `settings ${readablePath(issue.path)}: ${issue.message}`).join('\n');
  }
}
