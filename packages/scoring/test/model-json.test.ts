import { describe, expect, it } from 'vitest';
import {
  formatModelReport,
  InvalidModelError,
  modelReport,
  parseModel,
  serializeModel,
  type FellegiSunterModel,
} from '../src/model/index.js';

const model: FellegiSunterModel = {
  version: 1,
  comparisons: [
    {
      name: 'given_name',
      column: 'given_name',
      levels: [
        { label: 'null', test: { type: 'null' } },
        { label: 'exact', test: { type: 'exact' }, tfAdjustment: true },
        { label: 'Jaro-Winkler >= 0.92', test: { type: 'jaroWinkler', threshold: 0.92 } },
        { label: 'else', test: { type: 'else' } },
      ],
    },
    {
      name: 'sex',
      column: 'sex',
      levels: [
        { label: 'null', test: { type: 'null' } },
        { label: 'exact', test: { type: 'exact' } },
        { label: 'else', test: { type: 'else' } },
      ],
    },
  ],
  m: [
    [1, 0.85, 0.1, 0.05],
    [1, 0.97, 0.03],
  ],
  u: [
    [1, 0.01, 0.03, 0.96],
    [1, 0.5, 0.5],
  ],
  prior: 0.00012,
  training: {
    sessions: [
      { name: 'same birth date', columns: ['birth_date'], iterations: 7, converged: true, lambda: 0.61, estimated: ['given_name', 'sex'] },
      { name: 'same postcode', columns: ['postcode', 'sex'], iterations: 25, converged: false, lambda: 0.12, estimated: ['given_name'] },
    ],
    uSampleSize: 1_000_000,
    candidateLambda: 0.04,
    notEstimated: [],
    fixedM: [],
  },
};

function mutated(change: (copy: any) => void): string {
  const copy = structuredClone(model);
  change(copy);
  return JSON.stringify(copy);
}

describe('serializeModel / parseModel', () => {
  it('round-trips a model unchanged', () => {
    const json = serializeModel(model);
    expect(json).toContain('\n  "version": 1');
    expect(parseModel(json)).toEqual(model);
  });

  it('round-trips a version-2 model with its interaction terms, and still reads version 1 (no terms)', () => {
    const withTerms: FellegiSunterModel = {
      ...model,
      version: 2,
      interactions: [{ comparisons: ['given_name', 'sex'], levels: [1, 1], disagreeing: [], weight: -2.5, nonMatches: 40.5, predictedNonMatches: 7.1 }],
    };
    expect(parseModel(serializeModel(withTerms))).toEqual(withTerms);
    expect(parseModel(serializeModel(model)).interactions).toBeUndefined();
  });

  it.each([
    ['not JSON', '{ version: 1', /not valid JSON/],
    ['not an object', '[1, 2]', /JSON object/],
    ['another version', mutated((m) => (m.version = 3)), /version 3/],
    ['interactions in a version-1 model', mutated((m) => (m.interactions = [])), /needs model version 2/],
    [
      'an interaction naming an unknown comparison',
      mutated((m) => ((m.version = 2), (m.interactions = [{ comparisons: ['given_name', 'birth_date'], levels: [1, 1], disagreeing: [], weight: -2, nonMatches: 9, predictedNonMatches: 2 }]))),
      /unknown comparison "birth_date"/,
    ],
    [
      'an interaction on the null level',
      mutated((m) => ((m.version = 2), (m.interactions = [{ comparisons: ['given_name', 'sex'], levels: [0, 1], disagreeing: [], weight: -2, nonMatches: 9, predictedNonMatches: 2 }]))),
      /levels\[0\] must be a non-null level/,
    ],
    ['m missing a comparison', mutated((m) => m.m.pop()), /"m" must be an array with one row per comparison/],
    ['u row of the wrong length', mutated((m) => m.u[1].push(0.1)), /u of comparison "sex" must have 3 values/],
    ['probability above 1', mutated((m) => (m.m[0][1] = 1.5)), /m of comparison "given_name" level 1/],
    ['negative probability', mutated((m) => (m.u[0][2] = -0.1)), /u of comparison "given_name" level 2/],
    ['prior of 0', mutated((m) => (m.prior = 0)), /"prior"/],
    ['first level not null', mutated((m) => m.comparisons[1].levels.shift()), /level 0 must be the null level/],
    ['duplicate comparison names', mutated((m) => (m.comparisons[1].name = 'given_name')), /appears twice/],
    ['malformed session', mutated((m) => delete m.training.sessions[0].iterations), /training.sessions\[0\]/],
  ])('rejects %s with InvalidModelError', (_, json, message) => {
    expect(() => parseModel(json)).toThrow(InvalidModelError);
    expect(() => parseModel(json)).toThrow(message);
  });
});

describe('model report', () => {
  it('has one row per non-null level with its match weight', () => {
    const rows = modelReport(model);
    expect(rows.map((row) => `${row.comparison}:${row.level}`)).toEqual(['given_name:1', 'given_name:2', 'given_name:3', 'sex:1', 'sex:2']);
    expect(rows[0]).toEqual({ comparison: 'given_name', level: 1, label: 'exact', m: 0.85, u: 0.01, matchWeight: Math.log2(85) });
  });

  it('formats an aligned table with the prior and the EM sessions', () => {
    const text = formatModelReport(model);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Prior .*1\.200e-4/);
    const tableLines = lines.filter((line) => /^(given_name|sex) /.test(line));
    expect(tableLines).toHaveLength(5);
    const weightColumnEnd = lines.find((line) => line.startsWith('comparison'))!.length;
    for (const line of tableLines) expect(line.length).toBe(weightColumnEnd);
    expect(text).toContain('EM session "same birth date" (blocking on birth_date): 7 iterations, converged');
    expect(text).toContain('EM session "same postcode" (blocking on postcode, sex): 25 iterations, NOT converged');
  });
});
