import { MpiError } from '@mpi/types';
import type { FellegiSunterModel } from './model-types.js';

/** A model file or string that is not a valid (version 1 or 2) Fellegi-Sunter model. Code `INVALID_MODEL`. */
export class InvalidModelError extends MpiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_MODEL', `Invalid model: ${message}`, options);
  }
}

/** The model as pretty-printed JSON (what `parseModel` reads back). */
export function serializeModel(model: FellegiSunterModel): string {
  return JSON.stringify(model, null, 2);
}

/**
 * Reads a model written by `serializeModel`, checking its shape: version 1 or 2
 * (2 may hold interaction terms; a version-1 model has none and scores as it
 * always did), comparisons with a null level first, m and u with one row per
 * comparison and one probability in [0, 1] per level, a prior strictly between
 * 0 and 1, interaction terms naming two comparisons and a level of each,
 * householdAloneU (version 2) with a row or null per comparison.
 * Throws InvalidModelError naming the offending field.
 */
export function parseModel(json: string): FellegiSunterModel {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    // The parser's message may quote the text; name the problem only.
    throw new InvalidModelError('not valid JSON', { cause: error });
  }
  validateModel(value);
  return value;
}

function fail(message: string): never {
  throw new InvalidModelError(message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isProbability(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

function validateModel(value: unknown): asserts value is FellegiSunterModel {
  if (!isObject(value)) fail('expected a JSON object');
  if (value.version !== 1 && value.version !== 2) fail(`unsupported version ${JSON.stringify(value.version)} (expected 1 or 2)`);
  const { comparisons, m, u, prior, training } = value;
  if (!Array.isArray(comparisons)) fail('"comparisons" must be an array');
  const names = new Set<string>();
  comparisons.forEach((comparison: unknown, c) => {
    if (!isObject(comparison)) fail(`comparisons[${c}] must be an object`);
    if (typeof comparison.name !== 'string' || comparison.name === '') fail(`comparisons[${c}].name must be a non-empty string`);
    if (names.has(comparison.name)) fail(`comparison name "${comparison.name}" appears twice`);
    names.add(comparison.name);
    if (typeof comparison.column !== 'string') fail(`comparison "${comparison.name}": column must be a string`);
    if (comparison.valueColumns !== undefined && !isStringArray(comparison.valueColumns)) fail(`comparison "${comparison.name}": valueColumns must be an array of strings`);
    if (comparison.evidenceGroup !== undefined && typeof comparison.evidenceGroup !== 'string') {
      fail(`comparison "${comparison.name}": evidenceGroup must be a string`);
    }
    if (comparison.demographic !== undefined && typeof comparison.demographic !== 'boolean') {
      fail(`comparison "${comparison.name}": demographic must be a boolean`);
    }
    const { levels } = comparison;
    if (!Array.isArray(levels) || levels.length < 2) fail(`comparison "${comparison.name}": levels must be an array of at least 2 levels`);
    levels.forEach((level: unknown, l) => {
      if (!isObject(level) || typeof level.label !== 'string' || !isObject(level.test) || typeof level.test.type !== 'string') {
        fail(`comparison "${comparison.name}" level ${l}: expected { label: string, test: { type: string } }`);
      }
      if (level.tfAdjustment !== undefined && typeof level.tfAdjustment !== 'boolean') {
        fail(`comparison "${comparison.name}" level ${l}: tfAdjustment must be a boolean`);
      }
    });
    if ((levels[0] as { test: { type: string } }).test.type !== 'null') fail(`comparison "${comparison.name}": level 0 must be the null level`);
  });
  for (const [field, table] of [['m', m], ['u', u]] as const) {
    if (!Array.isArray(table) || table.length !== comparisons.length) {
      fail(`"${field}" must be an array with one row per comparison (${comparisons.length})`);
    }
    table.forEach((row: unknown, c) => {
      const { name, levels } = comparisons[c] as { name: string; levels: unknown[] };
      if (!Array.isArray(row) || row.length !== levels.length) {
        fail(`${field} of comparison "${name}" must have ${levels.length} values (one per level)`);
      }
      row.forEach((probability: unknown, level) => {
        if (!isProbability(probability)) fail(`${field} of comparison "${name}" level ${level} must be a probability in [0, 1]`);
      });
    });
  }
  if (typeof prior !== 'number' || !(prior > 0 && prior < 1)) fail('"prior" must be a probability strictly between 0 and 1');
  validateInteractions(value.interactions, value.version, comparisons as { name: string; levels: unknown[] }[]);
  validateHouseholdAloneU(value.householdAloneU, value.version, comparisons as { name: string; levels: unknown[] }[]);
  if (!isObject(training)) fail('"training" must be an object');
  if (!Array.isArray(training.sessions)) fail('"training.sessions" must be an array');
  training.sessions.forEach((session: unknown, s) => {
    if (
      !isObject(session) ||
      typeof session.name !== 'string' ||
      !isStringArray(session.columns) ||
      typeof session.iterations !== 'number' ||
      typeof session.converged !== 'boolean' ||
      typeof session.lambda !== 'number' ||
      !isStringArray(session.estimated)
    ) {
      fail(`training.sessions[${s}]: expected { name, columns, iterations, converged, lambda, estimated }`);
    }
  });
  if (typeof training.candidateLambda !== 'number') fail('"training.candidateLambda" must be a number');
  if (training.uSampleSize !== undefined && typeof training.uSampleSize !== 'number') fail('"training.uSampleSize" must be a number');
  for (const field of ['notEstimated', 'fixedM'] as const) {
    if (training[field] !== undefined && !isStringArray(training[field])) fail(`"training.${field}" must be an array of names`);
  }
}

/** householdAloneU: version 2, one row per comparison, each null or one probability per level. */
function validateHouseholdAloneU(rows: unknown, version: unknown, comparisons: readonly { name: string; levels: unknown[] }[]): void {
  if (rows === undefined) return;
  if (version === 1) fail('"householdAloneU" needs model version 2');
  if (!Array.isArray(rows) || rows.length !== comparisons.length) fail(`"householdAloneU" must be an array with one row per comparison (${comparisons.length})`);
  rows.forEach((row: unknown, c) => {
    if (row === null) return;
    const { name, levels } = comparisons[c];
    if (!Array.isArray(row) || row.length !== levels.length || !row.every(isProbability)) {
      fail(`householdAloneU of comparison "${name}" must be null or ${levels.length} probabilities in [0, 1] (one per level)`);
    }
  });
}

function validateInteractions(interactions: unknown, version: unknown, comparisons: readonly { name: string; levels: unknown[] }[]): void {
  if (interactions === undefined) return;
  if (version === 1) fail('"interactions" needs model version 2');
  if (!Array.isArray(interactions)) fail('"interactions" must be an array');
  interactions.forEach((term: unknown, i) => {
    if (!isObject(term) || !isStringArray(term.comparisons) || term.comparisons.length !== 2 || !Array.isArray(term.levels) || term.levels.length !== 2) {
      fail(`interactions[${i}]: expected { comparisons: [name, name], levels: [level, level], disagreeing: [names], weight }`);
    }
    if (typeof term.weight !== 'number' || !Number.isFinite(term.weight)) fail(`interactions[${i}].weight must be a finite number`);
    if (!isStringArray(term.disagreeing)) fail(`interactions[${i}].disagreeing must be an array of comparison names`);
    for (const name of term.disagreeing) if (!comparisons.some((c) => c.name === name)) fail(`interactions[${i}] names unknown comparison "${name}"`);
    term.comparisons.forEach((name, side) => {
      const comparison = comparisons.find((candidate) => candidate.name === name);
      if (comparison === undefined) fail(`interactions[${i}] names unknown comparison "${name}"`);
      const level = (term.levels as unknown[])[side];
      if (!Number.isInteger(level) || (level as number) < 1 || (level as number) >= comparison.levels.length) {
        fail(`interactions[${i}].levels[${side}] must be a non-null level of "${name}"`);
      }
    });
  });
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
