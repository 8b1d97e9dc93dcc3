import {
  compileBlockingRule,
  countRulePairs,
  generatePairs,
  totalPairs,
  type BlockingRule,
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
import type { Settings } from '../settings/settings.js';
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

/** A rule compiled, with the pairs it makes on its own. */
interface Counted {
  readonly rule: CompiledBlockingRule;
  readonly pairs: number;
}

/**
 * The broad rules kept, in order: each whose own pair count fits the allowance
 * (see broadRuleAllowance), while all the rules' pairs together stay within
 * `room` (the kept ones are generated without deriving their keys again).
 */
function affordable(table: RecordTable, broad: readonly BlockingRule[], mode: LinkMode, allowance: number, room: number): CompiledBlockingRule[] {
  const kept: CompiledBlockingRule[] = [];
  let total = 0;
  for (const rule of broad) {
    const compiled = compileBlockingRule(table, rule);
    const pairs = countRulePairs(table, [compiled], mode)[0];
    if (pairs > allowance || total + pairs > room) continue;
    kept.push(compiled);
    total += pairs;
  }
  return kept;
}

/**
 * The default rules compiled, each replaced by its tighter variant when it would
 * produce more than BASE_RULE_PAIRS_PER_RECORD pairs per record (see tighterBlockingRule).
 */
function scaled(table: RecordTable, base: readonly BlockingRule[], mode: LinkMode): Counted[] {
  return base.map((rule) => {
    const compiled = compileBlockingRule(table, rule);
    const tighter = tighterBlockingRule(rule);
    const pairs = countRulePairs(table, [compiled], mode)[0];
    if (tighter === undefined || pairs <= BASE_RULE_PAIRS_PER_RECORD * table.size) return { rule: compiled, pairs };
    const variant = compileBlockingRule(table, tighter);
    return { rule: variant, pairs: countRulePairs(table, [variant], mode)[0] };
  });
}

/** The rules EM trains on: explicit training rules, else the blocking rules over person fields (all rules if none is). */
export function trainingRules(settings: Settings, table: RecordTable, blocking: readonly CompiledBlockingRule[]): CompiledBlockingRule[] {
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

/**
 * The blocking rules: the settings', else the defaults scaled to the data (each
 * counted, none generated). The in-process block stage and the SQL plan take
 * their rules from here, so both engines block alike.
 */
export function chooseBlockingRules(input: BlockInput): ChosenRules {
  const { table, settings, mode } = input;
  const presentFields = new Set(Object.keys(table.columns));
  const space = totalPairs(table, mode);
  const budgetFor = (trainingRules: number) =>
    settings.maxPairs !== undefined
      ? { maxPairs: settings.maxPairs, basis: undefined }
      : defaultPairBudget(pairCost(input.comparisons.length, trainingRules, input.clusteringMethod, table.size));
  let rules: CompiledBlockingRule[];
  let truePairs: number | undefined;
  if (settings.blockingRules) {
    rules = settings.blockingRules.map((rule) => compileBlockingRule(table, rule));
  } else {
    const tight = scaled(table, defaultBlockingRules(presentFields), mode);
    const broad = broadBlockingRules(presentFields);
    truePairs = expectedTruePairs(table, tight, space, mode);
    // The default budget sized with every rule a training rule (the most EM masks
    // the pairs could need); an explicit maxPairs stays the user's limit to fail on.
    const room =
      settings.maxPairs !== undefined
        ? Infinity
        : BROAD_RULE_MEMORY_SHARE * budgetFor(tight.length + broad.length).maxPairs - tight.reduce((sum, { pairs }) => sum + pairs, 0);
    rules = [...tight.map(({ rule }) => rule), ...affordable(table, broad, mode, broadRuleAllowance(table.size, truePairs), room)];
  }
  if (rules.length === 0) throw new SettingsError('blockingRules', 'no blocking rule applies to the fields present');
  return { rules, expectedTruePairs: truePairs, space, budgetFor };
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
