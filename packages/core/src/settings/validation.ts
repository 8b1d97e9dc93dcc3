import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { InvalidSettingsError, pointer, type SettingsIssue } from './issues.js';
import { SETTINGS_SCHEMA } from './schema.js';
import { schemaIssues } from './schema-errors.js';
import { semanticIssues, type SettingsCheckOptions } from './semantics.js';

export type { SettingsCheckOptions } from './semantics.js';

let validator: ValidateFunction | undefined;

/**
 * The schema compiled once, on first use. allErrors: every problem is reported
 * at once rather than one per run. verbose: the errors carry the schema and
 * value they concern, which the messages need (known keys, allowed names).
 * discriminator: a blocking rule, field or level test is checked against the
 * branch its kind or type names, not reported as failing every branch.
 * validateSchema off: checking our own constant against the draft 2020-12
 * meta-schema took half of the ~0.1-0.2 s compile on every run; the settings
 * test compiles the published file with it on.
 */
function compiledSchema(): ValidateFunction {
  validator ??= new Ajv2020({ allErrors: true, verbose: true, discriminator: true, validateSchema: false }).compile(SETTINGS_SCHEMA);
  return validator;
}

/** The JSON Pointer of every value in `value`, numbered in document order. */
function documentOrder(value: unknown, path = '', order = new Map<string, number>()): Map<string, number> {
  order.set(path, order.size);
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) documentOrder(child, path + pointer([key]), order);
  }
  return order;
}

/** Where an issue sits in the document: at its path, or for a missing key just after its parent. */
function position(order: ReadonlyMap<string, number>, path: string): number {
  for (let at = path; ; at = at.slice(0, at.lastIndexOf('/'))) {
    const found = order.get(at);
    if (found !== undefined) return found + (at === path ? 0 : 0.5);
    if (at === '') return 0;
  }
}

/**
 * Every problem of a settings object, in the order they appear in it (ajv
 * reports in the order of the schema). Empty when the settings are valid.
 */
export function settingsIssues(raw: unknown, options: SettingsCheckOptions = {}): SettingsIssue[] {
  const validate = compiledSchema();
  const issues = [...(validate(raw) ? [] : schemaIssues(validate.errors ?? [])), ...semanticIssues(raw, options)];
  const order = documentOrder(raw);
  return issues
    .map((issue, i) => ({ issue, at: position(order, issue.path), i }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({ issue }) => issue);
}

/** Throws InvalidSettingsError listing every problem, if there is any. */
export function checkSettings(raw: unknown, options: SettingsCheckOptions = {}): void {
  const issues = settingsIssues(raw, options);
  if (issues.length > 0) throw new InvalidSettingsError(issues);
}
