import { defaultParameters, trainModel, type Comparison, type FellegiSunterModel, type PatternCounts } from '@mpi/scoring';
import { isHouseholdField } from '../defaults/field-kinds.js';
import { HOUSEHOLD_SHARE, householdFields, withoutHouseholdGroup } from '../defaults/households.js';
import { SettingsError } from '../errors.js';
import type { BlockingTable } from '@mpi/blocking';
import type { HouseholdColumns, LinkagePlan } from '@mpi/sql';
import type { RecordTable } from '../read/record-table.js';
import type { Settings } from '../settings/settings.js';
import { trainingRules, type ChosenRules } from './block.js';
import { interactionCells } from './train.js';

/** The comparisons EM trains, with what training reads of each. */
export interface TrainingVariant {
  readonly comparisons: readonly Comparison[];
  /** Per comparison: evidence household members share (trainModel's `household`). */
  readonly household: readonly boolean[];
  /** Per comparison: the documented default m and u, if any. */
  readonly defaults: readonly ({ readonly m: readonly number[]; readonly u: readonly number[] } | undefined)[];
  readonly interactionCells: readonly (readonly [number, number])[];
}

/**
 * Everything training needs that does not depend on the candidate pairs, as
 * plain JSON: a job written for a cluster without a model carries it
 * (training.json), and our process trains on it with the counts the cluster
 * returns. u is estimated here, from the seeded random pairs, compared by our
 * own kernels (no engine computes our comparison levels on random pairs as cheaply).
 */
export interface TrainingSetup {
  readonly version: 1;
  /** The EM sessions: each a blocking rule (its index among the chosen rules) whose pairs EM trains on. */
  readonly sessions: readonly { readonly name: string; readonly columns: readonly string[]; readonly rule: number }[];
  readonly u: readonly (readonly number[])[];
  readonly uSampleSize: number;
  /** Pairs in the whole comparison space. */
  readonly totalPairs: number;
  readonly em?: Settings['em'];
  readonly asGiven: TrainingVariant;
  /** Default comparisons only: the same without their household evidence group, trained when the candidate pairs show few households (see fitToHouseholds). */
  readonly withoutHouseholdGroup?: TrainingVariant;
}

/** What is counted of the candidate pairs (by SQL, or our process). */
export interface CountedPairs {
  /** Patterns of all candidate pairs. */
  readonly all: PatternCounts;
  /** Patterns of each session's pairs, in TrainingSetup.sessions order. */
  readonly sessions: readonly PatternCounts[];
  readonly candidateCount: number;
  /** The household share of the candidate pairs (householdShare), undefined without the fields to tell. */
  readonly share: number | undefined;
}

/** What the training setup reads of the records: their field kinds, and a table to bind the settings' trainingRules on. */
export type TrainingTable = Pick<RecordTable, 'fieldKinds'> & BlockingTable;

function variant(comparisons: readonly Comparison[], table: TrainingTable, chosen: ChosenRules): TrainingVariant {
  return {
    comparisons,
    household: comparisons.map((comparison) => isHouseholdField(comparison.column, table.fieldKinds)),
    defaults: comparisons.map((comparison) => defaultParameters(table.fieldKinds.get(comparison.column), comparison)),
    interactionCells: interactionCells(comparisons, chosen.rules, table.fieldKinds),
  };
}

/** The training setup of the records (see TrainingSetup); the SQL engines train on the blocking rules only. */
export function trainingSetup(input: {
  readonly table: TrainingTable;
  readonly settings: Settings;
  readonly chosen: ChosenRules;
  readonly comparisons: readonly Comparison[];
  readonly u: readonly (readonly number[])[];
  readonly uSampleSize: number;
}): TrainingSetup {
  const { table, settings, chosen } = input;
  const sessions = trainingRules(settings, table, chosen.rules).map((rule) => ({ name: rule.name, columns: rule.columns, rule: chosen.rules.indexOf(rule) }));
  if (sessions.some((session) => session.rule < 0)) {
    throw new SettingsError('trainingRules', 'the SQL engine trains on the blocking rules only: leave trainingRules out, or train in process and give the model');
  }
  // Only default comparisons are adapted to the households (see fitToHouseholds).
  const adaptable = settings.comparisons === undefined;
  return {
    version: 1,
    sessions,
    u: input.u,
    uSampleSize: input.uSampleSize,
    totalPairs: chosen.space,
    ...(settings.em !== undefined ? { em: settings.em } : {}),
    asGiven: variant(input.comparisons, table, chosen),
    ...(adaptable ? { withoutHouseholdGroup: variant(withoutHouseholdGroup(input.comparisons), table, chosen) } : {}),
  };
}

/**
 * Trains the model as the train stage of link() does, on counts: EM on the
 * pattern counts of all candidate pairs and of each session's pairs, the
 * household group dropped when the share says the data holds few households.
 * The prior is EM's: make it consistent with the scores (consistentPrior) after.
 */
export function trainOnCounts(setup: TrainingSetup, counted: CountedPairs): FellegiSunterModel {
  const fewHouseholds = counted.share !== undefined && counted.share < HOUSEHOLD_SHARE;
  const chosen = fewHouseholds && setup.withoutHouseholdGroup !== undefined ? setup.withoutHouseholdGroup : setup.asGiven;
  return trainModel({
    comparisons: chosen.comparisons,
    u: setup.u,
    sessions: setup.sessions.map((session, s) => ({ name: session.name, columns: session.columns, patterns: counted.sessions[s] })),
    candidatePatterns: counted.all,
    candidateCount: counted.candidateCount,
    uSampleSize: setup.uSampleSize,
    totalPairs: setup.totalPairs,
    em: setup.em,
    household: chosen.household,
    defaults: chosen.defaults,
    interactionCells: chosen.interactionCells,
  });
}

/**
 * The records-table columns the household share reads, as householdShare
 * chooses them (householdFields) among the records' columns; undefined
 * without the fields to tell.
 */
export function householdColumns(columns: readonly string[], plan: LinkagePlan): HouseholdColumns | undefined {
  const fields = householdFields(Object.fromEntries(columns.map((column) => [column, true])));
  if (fields === undefined) return undefined;
  const [street, place, given, born] = fields;
  // The default comparisons (the only ones adapted to households) compare all four, so the plan's records table holds them.
  for (const name of fields) {
    if (!plan.columns.some((column) => column.name === name && column.features.includes('value'))) throw new Error(`the household share reads ${name}, which the plan does not load`);
  }
  return { street, place, given, born };
}
