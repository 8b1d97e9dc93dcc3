import {
  compileBlockingRule,
  countRulePairs,
  generatePairs,
  totalPairs,
  type BlockingRule,
  type BlockingTable,
  type CandidatePairs,
  type CompiledBlockingRule,
} from '@mpi/blocking';
import type { LinkMode } from '@mpi/types';
import type { Comparison } from '@mpi/scoring';
import type { ClusteringMethod } from '../cluster/cluster.js';
import { SettingsError } from '../errors.js';
import {
  BASE_RULE_PAIRS_PER_RECORD,
  broadBlockingRules,
  defaultBlockingRules,
  isPersonRule,
  tighterBlockingRule,
} from '../defaults/field-kinds.js';
import { BROAD_RULE_MEMORY_SHARE, broadRuleAllowance, defaultPairBudget, pairCost } from '../defaults/pair-budget.js';
import type { RecordTable } from '../read/record-table.js';
import type { FieldKind, Settings } from '../settings/settings.js';
import { expectedTruePairs } from './expected-true-pairs.js';
import type { ProgressEvent } from './types.js';

/** What the block stage needs. */
export interface BlockInput {
  readonly table: RecordTable;
  readonly settings: Settings;
  readonly mode: LinkMode;
  /** The comparisons the pairs will go through (they size the pair budget). */
  readonly comparisons: readonly Comparison[];
  /** Whether a model will be trained (false when one was given): the training rules then size the budget too. */
  readonly training: boolean;
  readonly clusteringMethod: ClusteringMethod;
  readonly progress: (event: ProgressEvent) => void;
}

/** The candidate pairs, and the rules that made them. */
export interface Blocked {
  readonly pairs: CandidatePairs;
  /** Pairs in the comparison space (all pairs, or cross-source pairs in link mode). */
  readonly space: number;
  /** The blocking rules, compiled once: they serve counting, generation and EM's covers(). */
  readonly rules: readonly CompiledBlockingRule[];
  /** The rules EM trains on (none when no model is trained). */
  readonly sessionRules: readonly CompiledBlockingRule[];
  /** True pairs estimated from the default rules before generation (see expectedTruePairs); undefined with the settings' rules. */
  readonly expectedTruePairs: number | undefined;
}

/** A rule with the pairs it makes on its own. */
interface Counted {
  readonly rule: BlockingRule;
  readonly pairs: number;
}

/**
 * The rule choice as steps that ask for pair counts: each `yield rule` is
 * answered with the pairs that rule makes on its own. In process the counts
 * come from countRulePairs on the record table (countEach), in DuckDB from
 * GROUP BY counts over its tables (countEachAsync): one decision, two ways of counting.
 */
export type RuleCounting<T> = Generator<BlockingRule, T, number>;

/** Runs counting steps with a synchronous counter. */
export function countEach<T>(steps: RuleCounting<T>, count: (rule: BlockingRule) => number): T {
  let step = steps.next();
  while (!step.done) step = steps.next(count(step.value));
  return step.value;
}

/** Runs counting steps with a counter that answers later (a SQL query). */
export async function countEachAsync<T>(steps: RuleCounting<T>, count: (rule: BlockingRule) => Promise<number>): Promise<T> {
  let step = steps.next();
  while (!step.done) step = steps.next(await count(step.value));
  return step.value;
}

/**
 * The broad rules kept, in order: each whose own pair count fits the allowance
 * (see broadRuleAllowance), while all the rules' pairs together stay within `room`.
 */
function* affordable(broad: readonly BlockingRule[], allowance: number, room: number): RuleCounting<BlockingRule[]> {
  const kept: BlockingRule[] = [];
  let total = 0;
  for (const rule of broad) {
    const pairs = yield rule;
    if (pairs > allowance || total + pairs > room) continue;
    kept.push(rule);
    total += pairs;
  }
  return kept;
}

/**
 * The default rules, each replaced by its tighter variant when it would
 * produce more than BASE_RULE_PAIRS_PER_RECORD pairs per record (see tighterBlockingRule).
 */
function* scaled(base: readonly BlockingRule[], size: number): RuleCounting<Counted[]> {
  const out: Counted[] = [];
  for (const rule of base) {
    const tighter = tighterBlockingRule(rule);
    const pairs = yield rule;
    if (tighter === undefined || pairs <= BASE_RULE_PAIRS_PER_RECORD * size) out.push({ rule, pairs });
    else out.push({ rule: tighter, pairs: yield tighter });
  }
  return out;
}

/** The rules EM trains on: explicit training rules, else the blocking rules over person fields (all rules if none is). */
export function trainingRules(settings: Settings, table: Pick<RecordTable, 'fieldKinds'> & BlockingTable, blocking: readonly CompiledBlockingRule[]): CompiledBlockingRule[] {
  if (settings.trainingRules) return settings.trainingRules.map((rule) => compileBlockingRule(table, rule));
  const person = blocking.filter((rule) => isPersonRule(rule.columns, table.fieldKinds));
  return person.length > 0 ? person : [...blocking];
}

/** The blocking rules for the data, and the true pairs the default rules are expected to hold. */
export interface ChosenRules {
  readonly rules: CompiledBlockingRule[];
  /** See Blocked.expectedTruePairs. */
  readonly expectedTruePairs: number | undefined;
  /** Pairs in the comparison space. */
  readonly space: number;
  /** The pair budget for a number of training rules. */
  budgetFor(trainingRules: number): { maxPairs: number; basis: string | undefined };
}

/** What the rule choice reads of the records: their fields, how many, and the comparison space. */
export interface RuleChoiceInput extends Omit<BlockInput, 'table' | 'progress'> {
  readonly fieldKinds: ReadonlyMap<string, FieldKind>;
  /** The table's columns (fields and further value columns). */
  readonly columns: readonly string[];
  readonly size: number;
  /** Pairs in the comparison space. */
  readonly space: number;
}

/** The rules chosen (definitions, not yet bound to a table), and what ChosenRules tells beside them. */
export interface RuleChoice {
  readonly rules: BlockingRule[];
  readonly expectedTruePairs: number | undefined;
  budgetFor(trainingRules: number): { maxPairs: number; basis: string | undefined };
}

/**
 * The blocking rules: the settings', else the defaults scaled to the data (each
 * counted, none generated), as steps asking for pair counts (see RuleCounting).
 * The in-process block stage and the SQL plan take their rules from here, so
 * both engines block alike.
 */
export function* ruleChoice(input: RuleChoiceInput): RuleCounting<RuleChoice> {
  const { settings, size, space } = input;
  const presentFields = new Set(input.columns);
  const budgetFor = (trainingRules: number) =>
    settings.maxPairs !== undefined
      ? { maxPairs: settings.maxPairs, basis: undefined }
      : defaultPairBudget(pairCost(input.comparisons.length, trainingRules, input.clusteringMethod, size));
  let rules: BlockingRule[];
  let truePairs: number | undefined;
  if (settings.blockingRules) {
    rules = [...settings.blockingRules];
  } else {
    const tight = yield* scaled(defaultBlockingRules(presentFields), size);
    const broad = broadBlockingRules(presentFields);
    truePairs = yield* expectedTruePairs(tight, space, input.fieldKinds);
    // The default budget sized with every rule a training rule (the most EM masks
    // the pairs could need); an explicit maxPairs stays the user's limit to fail on.
    const room =
      settings.maxPairs !== undefined
        ? Infinity
        : BROAD_RULE_MEMORY_SHARE * budgetFor(tight.length + broad.length).maxPairs - tight.reduce((sum, { pairs }) => sum + pairs, 0);
    rules = [...tight.map(({ rule }) => rule), ...(yield* affordable(broad, broadRuleAllowance(size, truePairs), room))];
  }
  if (rules.length === 0) throw new SettingsError('blockingRules', 'no blocking rule applies to the fields present');
  return { rules, expectedTruePairs: truePairs, budgetFor };
}

/**
 * The blocking rules for the record table, compiled on it (see ruleChoice):
 * each rule is compiled once and counted by countRulePairs, and the chosen
 * ones are generated without deriving their keys again.
 */
export function chooseBlockingRules(input: BlockInput): ChosenRules {
  const { table, mode } = input;
  const space = totalPairs(table, mode);
  const compiled = new Map<BlockingRule, CompiledBlockingRule>();
  const compile = (rule: BlockingRule) => {
    let bound = compiled.get(rule);
    if (bound === undefined) compiled.set(rule, (bound = compileBlockingRule(table, rule)));
    return bound;
  };
  const steps = ruleChoice({ ...input, fieldKinds: table.fieldKinds, columns: Object.keys(table.columns), size: table.size, space });
  const choice = countEach(steps, (rule) => countRulePairs(table, [compile(rule)], mode)[0]);
  return { rules: choice.rules.map(compile), expectedTruePairs: choice.expectedTruePairs, space, budgetFor: choice.budgetFor };
}

/**
 * The block stage: the blocking rules (see chooseBlockingRules) and the
 * candidate pairs they give, within the pair budget (an explicit maxPairs, else
 * what the memory free holds: PairBudgetExceededError before any pair is generated).
 */
export function blockPairs(input: BlockInput): Blocked {
  const { table, settings, mode } = input;
  const { rules, expectedTruePairs: truePairs, space, budgetFor } = chooseBlockingRules(input);
  const sessionRules = input.training ? trainingRules(settings, table, rules) : [];
  // An explicit maxPairs is the user's; the default is what the memory free holds.
  const budget = budgetFor(sessionRules.length);
  const pairs = generatePairs(table, rules, { mode, maxPairs: budget.maxPairs, budgetBasis: budget.basis });
  input.progress({ stage: 'block', done: pairs.count, total: pairs.count });
  return { pairs, space, rules, sessionRules, expectedTruePairs: truePairs };
}
