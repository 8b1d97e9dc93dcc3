import { describe, expect, it } from 'vitest';
import { xoroshiro128plus } from 'pure-rand';
import {
  countPatterns,
  estimateU,
  expectationMaximisation,
  trainModel,
  defaultStartingM,
  formatModelReport,
  formatTrainingSummary,
} from '../src/model/index.js';
import type { Comparison, ComparisonVectors, PairChunk, PatternCounts } from '../src/types.js';

// A known Fellegi-Sunter mixture: each pair is a match with probability lambda;
// each comparison is null with probability NULL_RATE, else its level is drawn
// from m (match) or u (non-match), independently across comparisons.
const comparisons: Comparison[] = [
  comparison('given_name', ['exact', 'jaroWinkler', 'else']),
  comparison('family_name', ['exact', 'jaroWinkler', 'else']),
  comparison('birth_date', ['exact', 'dateTransposed', 'dateYearOffByOne', 'else']),
  comparison('sex', ['exact', 'else']),
];
const TRUE_M = [
  [1, 0.85, 0.1, 0.05],
  [1, 0.8, 0.12, 0.08],
  [1, 0.9, 0.04, 0.03, 0.03],
  [1, 0.97, 0.03],
];
const TRUE_U = [
  [1, 0.01, 0.04, 0.95],
  [1, 0.005, 0.02, 0.975],
  [1, 0.001, 0.002, 0.01, 0.987],
  [1, 0.5, 0.5],
];
const NULL_RATE = 0.05;

function comparison(name: string, types: string[]): Comparison {
  return {
    name,
    column: name,
    levels: [{ label: 'null', test: { type: 'null' } }, ...types.map((type) => ({ label: type, test: { type } }) as Comparison['levels'][number])],
  };
}

interface Drawn {
  chunk: PairChunk;
  vectors: ComparisonVectors;
}

/** Draws `pairs` comparison vectors from the mixture; `keep` conditions on a vector (e.g. what a blocking rule lets through). */
function drawPairs(pairs: number, lambda: number, seed: number, keep: (vector: number[]) => boolean = () => true): Drawn {
  const rng = xoroshiro128plus(seed);
  const random = () => (rng.unsafeNext() >>> 0) / 4294967296;
  const pick = (distribution: number[]) => {
    let r = random();
    for (let level = 1; level < distribution.length - 1; level++) {
      r -= distribution[level];
      if (r < 0) return level;
    }
    return distribution.length - 1;
  };
  const levels = new Uint8Array(pairs * comparisons.length);
  let n = 0;
  while (n < pairs) {
    const isMatch = random() < lambda;
    const vector = comparisons.map((_, c) => (random() < NULL_RATE ? 0 : pick(isMatch ? TRUE_M[c] : TRUE_U[c])));
    if (!keep(vector)) continue;
    levels.set(vector, n * comparisons.length);
    n++;
  }
  const left = Uint32Array.from({ length: pairs }, (_, k) => k);
  const right = Uint32Array.from({ length: pairs }, (_, k) => k + 1);
  return { chunk: { left, right }, vectors: { width: comparisons.length, levels } };
}

function patternsOf(drawn: Drawn): PatternCounts {
  return countPatterns([drawn.chunk], [drawn.vectors]);
}

function expectRowsClose(actual: number[][], expected: number[][], tolerance: number): void {
  actual.forEach((row, c) => row.forEach((value, level) => expect(Math.abs(value - expected[c][level])).toBeLessThan(tolerance)));
}

describe('estimateU on random pairs', () => {
  it('recovers the non-match distribution from pairs that are almost all non-matches', () => {
    const random = drawPairs(200_000, 0, 101);
    expectRowsClose(estimateU([random.vectors], comparisons), TRUE_U, 0.005);
  });
});

describe('expectationMaximisation', () => {
  const candidates = patternsOf(drawPairs(200_000, 0.2, 202));
  const start = comparisons.map(defaultStartingM);
  const allActive = comparisons.map(() => true);

  it('recovers m and lambda of a known mixture with u fixed', () => {
    const result = expectationMaximisation({ patterns: candidates, m: start, u: TRUE_U, lambda: 0.5, active: allActive, maxIterations: 100 });
    expect(result.converged).toBe(true);
    expect(Math.abs(result.lambda - 0.2)).toBeLessThan(0.005);
    expectRowsClose(result.m, TRUE_M, 0.01);
  });

  it('costs one step per distinct pattern, not per pair', () => {
    expect(candidates.counts.length).toBeLessThan(2 * 4 * 4 * 5 * 3);
  });

  it('leaves inactive comparisons out and returns their m unchanged', () => {
    const active = [true, true, true, false];
    const result = expectationMaximisation({ patterns: candidates, m: start, u: TRUE_U, lambda: 0.5, active, maxIterations: 100 });
    expect(result.m[3]).toEqual(start[3]);
    expect(Math.abs(result.lambda - 0.2)).toBeLessThan(0.01);
    expectRowsClose(result.m.slice(0, 3), TRUE_M.slice(0, 3), 0.015);
  });

  it('takes no evidence from null levels', () => {
    // The same pairs with sex missing everywhere: EM must behave as if sex were inactive.
    const sexMissing = new Uint8Array(candidates.patterns);
    for (let offset = 3; offset < sexMissing.length; offset += 4) sexMissing[offset] = 0;
    const withNulls = expectationMaximisation({ patterns: { ...candidates, patterns: sexMissing }, m: start, u: TRUE_U, lambda: 0.5, active: allActive, maxIterations: 100 });
    const inactive = expectationMaximisation({ patterns: candidates, m: start, u: TRUE_U, lambda: 0.5, active: [true, true, true, false], maxIterations: 100 });
    expect(withNulls.m[3]).toEqual(start[3]);
    expect(withNulls.lambda).toBeCloseTo(inactive.lambda, 12);
    expectRowsClose(withNulls.m.slice(0, 3), inactive.m.slice(0, 3), 1e-12);
  });

  it('estimates m of passive comparisons from the others\' posterior without letting their agreement shape it', () => {
    // Sex always agreeing: a passive comparison's agreement adds nothing, so EM runs as if it were inactive.
    const sexAgrees = new Uint8Array(candidates.patterns);
    for (let offset = 3; offset < sexAgrees.length; offset += 4) sexAgrees[offset] = 1;
    const patterns = { ...candidates, patterns: sexAgrees };
    const inactive = expectationMaximisation({ patterns, m: start, u: TRUE_U, lambda: 0.5, active: [true, true, true, false], maxIterations: 100 });
    const passive = expectationMaximisation({ patterns, m: start, u: TRUE_U, lambda: 0.5, active: allActive, passive: [false, false, false, true], maxIterations: 100 });
    expect(passive.lambda).toBeCloseTo(inactive.lambda, 12);
    expectRowsClose(passive.m.slice(0, 3), inactive.m.slice(0, 3), 1e-12);
    expect(passive.m[3][1]).toBeGreaterThan(0.99);
  });

  it('lets the disagreement of passive comparisons vote, so non-matches the others cannot rule out do not become its m', () => {
    // A session of 1,000 matches among 20,000 different people whose person field (a family name, m fixed)
    // mostly disagrees: 5% of matches disagree on it too. Their phone (passive: household evidence) differs
    // for 0.1% of matches and for every non-match. Voting with the family name alone, each non-match keeps
    // ~0.25% of match probability, 50 expected matches with a different phone: m(phone differs) ~0.05.
    // Comparisons: family name (null, exact, else), phone (null, exact, else).
    const cell = (familyLevel: number, phoneLevel: number, count: number) => ({ familyLevel, phoneLevel, count });
    const cells = [cell(1, 1, 949), cell(1, 2, 1 + 20), cell(2, 1, 50), cell(2, 2, 19_980)];
    const session: PatternCounts = {
      width: 2,
      patterns: Uint8Array.from(cells.flatMap(({ familyLevel, phoneLevel }) => [familyLevel, phoneLevel])),
      counts: Float64Array.from(cells, ({ count }) => count),
    };
    const result = expectationMaximisation({
      patterns: session,
      m: [[1, 0.95, 0.05], [1, 0.9, 0.1]],
      u: [[1, 0.001, 0.999], [1, 1e-5, 1 - 1e-5]],
      lambda: 0.1,
      active: [true, true],
      frozen: [true, false],
      passive: [false, true],
      maxIterations: 500,
    });
    expect(result.m[1][2]).toBeLessThan(0.01);
    expect(Math.abs(result.lambda - 1_000 / 21_000)).toBeLessThan(0.005);
  });

  it('stops after maxIterations and says it did not converge', () => {
    const result = expectationMaximisation({ patterns: candidates, m: start, u: TRUE_U, lambda: 0.5, active: allActive, maxIterations: 2, tolerance: 1e-12 });
    expect(result.iterations).toBe(2);
    expect(result.converged).toBe(false);
  });

  it('never lets an m reach 0', () => {
    // Only agreeing pairs: the else level of every comparison is never seen.
    const agreeing = patternsOf(drawPairs(5_000, 0.5, 303, (vector) => vector.every((level) => level === 1)));
    const result = expectationMaximisation({ patterns: agreeing, m: start, u: TRUE_U, lambda: 0.5, active: allActive });
    for (const row of result.m) for (const value of row) expect(value).toBeGreaterThan(0);
  });
});

describe('trainModel', () => {
  // Two training blocking rules: pairs agreeing exactly on birth_date, and on family_name.
  const byBirthDate = patternsOf(drawPairs(100_000, 0.3, 404, (vector) => vector[2] === 1));
  const byFamilyName = patternsOf(drawPairs(100_000, 0.3, 505, (vector) => vector[1] === 1));
  const candidateCount = 150_000;
  const candidates = patternsOf(drawPairs(candidateCount, 0.2, 606));
  const totalPairs = 100 * candidateCount;
  const sessions = [
    { name: 'same birth date', columns: ['birth_date'], patterns: byBirthDate },
    { name: 'same family name', columns: ['family_name'], patterns: byFamilyName },
  ];

  const model = trainModel({ comparisons, u: TRUE_U, sessions, candidatePatterns: candidates, candidateCount, totalPairs, em: { maxIterations: 100 } });

  it('estimates each comparison in the sessions whose rule does not block on it', () => {
    expect(model.training.sessions.map((s) => s.estimated)).toEqual([
      ['given_name', 'family_name', 'sex'],
      ['given_name', 'birth_date', 'sex'],
    ]);
    expect(model.training.sessions.every((s) => s.converged)).toBe(true);
    expect(model.training.notEstimated).toEqual([]);
    expectRowsClose(model.m, TRUE_M, 0.015);
    expect(model.u).toEqual(TRUE_U);
  });

  it('derives the prior from the share of matches among candidate pairs', () => {
    expect(Math.abs(model.training.candidateLambda - 0.2)).toBeLessThan(0.005);
    expect(model.prior).toBeCloseTo((model.training.candidateLambda * candidateCount) / totalPairs, 12);
    expect(Math.abs(model.prior - 0.002)).toBeLessThan(0.0001);
  });

  it('estimates on the candidate pairs the m of a comparison every session blocks on, instead of keeping its starting m', () => {
    // Every training rule blocks on birth date and sex: no session can learn their m.
    const onlyBirthDate = trainModel({ comparisons, u: TRUE_U, sessions: [{ ...sessions[0], columns: ['birth_date', 'sex'] }], candidatePatterns: candidates, candidateCount, totalPairs });
    expect(onlyBirthDate.training.notEstimated).toEqual([]);
    expect(onlyBirthDate.m[2]).not.toEqual(defaultStartingM(comparisons[2]));
    expectRowsClose(onlyBirthDate.m.slice(2), TRUE_M.slice(2), 0.02);
  });

  it('never re-estimates fixed m, u and prior', () => {
    const fixedM = [1, 0.6, 0.3, 0.1];
    const fixedU = [1, 0.02, 0.03, 0.95];
    const fixed = trainModel({
      comparisons,
      u: TRUE_U,
      sessions,
      candidatePatterns: candidates,
      candidateCount,
      totalPairs,
      fixed: { m: [fixedM, null, null, null], u: [null, fixedU, null, null], prior: 0.0042 },
    });
    expect(fixed.m[0]).toEqual(fixedM);
    expect(fixed.u[1]).toEqual(fixedU);
    expect(fixed.prior).toBe(0.0042);
    expect(fixed.training.fixedM).toEqual(['given_name']);
    expect(fixed.training.sessions.every((s) => !s.estimated.includes('given_name'))).toBe(true);
    expect(fixed.m[1]).not.toEqual(defaultStartingM(comparisons[1]));
  });

  it('trains on no candidate pair at all: counted patterns of no vectors have no width', () => {
    // What link() counts when blocking finds no pair: no chunk, so no vector gives the width.
    const none = countPatterns([], []);
    expect(none.counts.length).toBe(0);
    const model = trainModel({
      comparisons,
      u: TRUE_U,
      sessions: [{ name: 'empty', columns: ['given_name'], patterns: none }],
      candidatePatterns: none,
      candidateCount: 0,
      totalPairs: 3,
    });
    expect(model.m).toEqual(comparisons.map((c) => defaultStartingM(c)));
    expect(model.training.candidateLambda).toBe(0);
    expect(model.prior).toBeGreaterThan(0);
    expect(model.training.sessions[0]).toMatchObject({ iterations: 0, converged: true, estimated: [] });
  });

  it('rejects u that does not match the comparisons', () => {
    expect(() => trainModel({ comparisons, u: TRUE_U.slice(0, 3), sessions, candidatePatterns: candidates, candidateCount, totalPairs })).toThrow(/3 rows/);
  });
});

describe('EM convergence', () => {
  // Sessions dense with matches, as with many records a person, blocking on two
  // fields each: what is left to tell matches apart is weaker, and EM creeps
  // (one of these took 29 iterations to a change below 1e-4).
  const dense = [
    { name: 'same given name and birth date', columns: ['given_name', 'birth_date'], patterns: patternsOf(drawPairs(50_000, 0.97, 707, (v) => v[0] === 1 && v[2] === 1)) },
    { name: 'same given and family name', columns: ['given_name', 'family_name'], patterns: patternsOf(drawPairs(50_000, 0.97, 909, (v) => v[0] === 1 && v[1] === 1)) },
  ];
  const candidates = patternsOf(drawPairs(100_000, 0.9, 909));

  it('converges with the default iteration cap and tolerance, and records the last change', () => {
    const model = trainModel({ comparisons, u: TRUE_U, sessions: dense, candidatePatterns: candidates, candidateCount: 100_000, totalPairs: 10_000_000 });
    for (const session of model.training.sessions) {
      expect(session.converged).toBe(true);
      expect(session.finalChange).toBeLessThan(1e-4);
    }
  });

  it('shows convergence in the model report and the one-line training summary', () => {
    const model = trainModel({ comparisons, u: TRUE_U, sessions: dense, candidatePatterns: candidates, candidateCount: 100_000, totalPairs: 10_000_000 });
    const report = formatModelReport(model);
    expect(report).toMatch(/EM session "same given name and birth date" .*: \d+ iterations, converged \(last change \d\.\de-\d+\)/);
    expect(formatTrainingSummary(model)).toMatch(/^EM: 2 of 2 sessions converged, at most \d+ iterations, largest final change \d\.\de-\d+$/);
  });
});
