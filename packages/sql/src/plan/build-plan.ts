import { blockingRuleName, type BlockingRule } from '@mpi/blocking';
import { AGREES, compileWeights, DISAGREES, VETO_DISAGREEMENTS, type Comparison, type FellegiSunterModel, type TermFrequencyInput } from '@mpi/scoring';
import type { LinkMode } from '@mpi/types';
import { and, column, featuresRead, or, TRUE, type Expr, type Feature } from './expression.js';
import { crossColumnCondition, valueCondition } from './level-conditions.js';
import { keyColumn, type LinkagePlan, type PlanBlockingRule, type PlanColumn, type PlanComparison, type PlanLevel } from './plan.js';

/** What a plan is built from. */
export interface PlanInput {
  /** The trained model: its comparisons, m, u and prior. */
  readonly model: FellegiSunterModel;
  /** The blocking rules in order, as the in-process engine selected them for the data. */
  readonly rules: readonly BlockingRule[];
  readonly mode: LinkMode;
  /** Match probability threshold. */
  readonly threshold: number;
  /** The same threshold as a match weight (log2 odds), as the in-process clustering computes it. */
  readonly thresholdWeight: number;
  readonly clustering: 'connectedComponents' | 'averageLinkage';
}

/** The term-frequency column of a comparison's value column `slot` (0: its own column) in the records table. */
export function tfColumn(comparison: Comparison, slot = 0): string {
  return `${comparison.name}__tf${slot === 0 ? '' : slot}`;
}

/**
 * The plan of a trained model: blocking rules, comparison levels as declarative
 * conditions, the match weights compiled by the same code scoring uses
 * (compileWeights), the threshold and the clustering step.
 */
export function buildLinkagePlan(input: PlanInput): LinkagePlan {
  const { model } = input;
  // compileWeights decides which levels are tf-adjusted and the u they replace;
  // it only needs to know that each such comparison has term frequencies.
  const present: TermFrequencyInput = { ids: new Uint32Array(0), tf: new Float64Array(0) };
  const compiled = compileWeights(model, model.comparisons.map((c) => (c.levels.some((level) => level.tfAdjustment) ? present : null)));
  const comparisons = model.comparisons.map((comparison, c): PlanComparison => {
    const slots = [comparison.column, ...(comparison.valueColumns ?? [])];
    const tf = compiled.tfLevels[c];
    const roles = compiled.roles[c];
    const alone = compiled.householdAlone?.weights[c];
    const levels = comparison.levels.map((level, index): PlanLevel => ({
      index,
      label: level.label,
      condition: index === 0 ? missing(slots) : index === comparison.levels.length - 1 ? TRUE : levelCondition(comparison, index, slots),
      m: model.m[c][index],
      u: model.u[c][index],
      weight: compiled.weights[c][index],
      ...(alone !== undefined && alone[index] !== compiled.weights[c][index] ? { householdAloneWeight: alone[index] } : {}),
      ...(tf !== null && tf[index] === 1 ? { tfReferenceU: compiled.tfU[c]![index] } : {}),
      ...(roles !== null ? { vetoRole: roles[index] === AGREES ? 'agrees' : roles[index] === DISAGREES ? 'disagrees' : 'neutral' } : {}),
    }));
    return {
      index: c,
      name: comparison.name,
      column: comparison.column,
      valueColumns: slots,
      levels,
      evidenceGroup: compiled.group[c],
      demographic: comparison.demographic === true,
      ...(tf !== null ? { tfColumns: slots.map((_, slot) => tfColumn(comparison, slot)) } : {}),
    };
  });
  const blocking = input.rules.map((rule, index): PlanBlockingRule => ({
    index,
    name: blockingRuleName(rule),
    kind: rule.kind,
    parts: rule.keys.map((part) => ({ column: part.column, transform: part.transform ?? 'exact', keyColumn: keyColumn(part.column, part.transform ?? 'exact') })),
    unordered: rule.kind === 'key' && rule.unordered === true,
    ...(rule.kind === 'sortedNeighbourhood' ? { window: rule.window } : {}),
    rule,
  }));
  return {
    version: 1,
    mode: input.mode,
    columns: planColumns(comparisons, blocking),
    blocking,
    comparisons,
    priorWeight: compiled.priorWeight,
    veto: compiled.demographics.length >= VETO_DISAGREEMENTS ? { disagreements: VETO_DISAGREEMENTS } : undefined,
    identifying: compiled.householdAlone === null ? [] : [...compiled.householdAlone.identifying],
    evidenceGroups: compiled.groupCount,
    interactions: Array.from(compiled.interactions.weight, (weight, i) => ({
      a: compiled.interactions.a[i],
      levelA: compiled.interactions.levelA[i],
      b: compiled.interactions.b[i],
      levelB: compiled.interactions.levelB[i],
      disagreeing: compiled.interactions.disagreeing[i].map(({ c, agrees }) => ({ comparison: c, agreeingLevels: [...agrees.keys()].filter((level) => agrees[level] !== 0) })),
      weight,
    })),
    thresholdWeight: input.thresholdWeight,
    threshold: input.threshold,
    clustering: { method: input.clustering },
  };
}

/** Either record has none of the comparison's values. */
function missing(slots: readonly string[]): Expr {
  const none = (side: 'left' | 'right'): Expr => and(...slots.map((slot): Expr => ({ op: 'isNull', arg: column(side, slot) })));
  return or(none('left'), none('right'));
}

/**
 * A level's condition: a cross-column test reads `column` only; a value test
 * holds when it holds for some pair of present values across the value columns
 * (the best level over every pair of values, as the vectorizer takes it).
 */
function levelCondition(comparison: Comparison, index: number, slots: readonly string[]): Expr {
  const test = comparison.levels[index].test;
  if (test.type === 'swapped' || test.type === 'crossMatch') return crossColumnCondition(test, comparison.column);
  return or(...slots.flatMap((left) => slots.map((right) => valueCondition(test, left, right))));
}

/** Every column the plan reads and the features read of it, in first-use order. */
function planColumns(comparisons: readonly PlanComparison[], blocking: readonly PlanBlockingRule[]): PlanColumn[] {
  const read = new Map<string, Set<Feature>>();
  for (const comparison of comparisons) {
    for (const slot of comparison.valueColumns) if (!read.has(slot)) read.set(slot, new Set(['value']));
    for (const level of comparison.levels) featuresRead(level.condition, read);
  }
  for (const rule of blocking) for (const part of rule.parts) if (!read.has(part.column)) read.set(part.column, new Set(['value']));
  return [...read].map(([name, features]) => ({ name, features: [...features] }));
}
