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
  BROAD_RULE_MIN_PAIRS,
  BROAD_RULE_PAIRS_PER_RECORD,
  broadBlockingRules,
  defaultBlockingRules,
  isPersonRule,
  tighterBlockingRule,
} from '../defaults/field-kinds.js';
import { defaultPairBudget, pairCost } from '../defaults/pair-budget.js';
import type { RecordTable } from '../read/record-table.js';
import type { Settings } from '../settings/settings.js';
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
}

/**
 * The broad rules whose own pair count fits BROAD_RULE_PAIRS_PER_RECORD pairs per
 * record, compiled (the kept ones are generated without deriving their keys again).
 */
function affordable(table: RecordTable, broad: readonly BlockingRule[], mode: LinkMode): CompiledBlockingRule[] {
  const kept: CompiledBlockingRule[] = [];
  for (const rule of broad) {
    const compiled = compileBlockingRule(table, rule);
    if (countRulePairs(table, [compiled], mode)[0] <= Math.max(BROAD_RULE_PAIRS_PER_RECORD * table.size, BROAD_RULE_MIN_PAIRS)) kept.push(compiled);
  }
  return kept;
}

/**
 * The default rules compiled, each replaced by its tighter variant when it would
 * produce more than BASE_RULE_PAIRS_PER_RECORD pairs per record (see tighterBlockingRule).
 */
function scaled(table: RecordTable, base: readonly BlockingRule[], mode: LinkMode): CompiledBlockingRule[] {
  return base.map((rule) => {
    const compiled = compileBlockingRule(table, rule);
    const tighter = tighterBlockingRule(rule);
    if (tighter === undefined || countRulePairs(table, [compiled], mode)[0] <= BASE_RULE_PAIRS_PER_RECORD * table.size) return compiled;
    return compileBlockingRule(table, tighter);
  });
}

/** The rules EM trains on: explicit training rules, else the blocking rules over person fields (all rules if none is). */
function trainingRules(settings: Settings, table: RecordTable, blocking: readonly CompiledBlockingRule[]): CompiledBlockingRule[] {
  if (settings.trainingRules) return settings.trainingRules.map((rule) => compileBlockingRule(table, rule));
  const person = blocking.filter((rule) => isPersonRule(rule.columns, table.fieldKinds));
  return person.length > 0 ? person : [...blocking];
}

/**
 * The block stage: the blocking rules (the settings', else the defaults scaled to
 * the data) and the candidate pairs they give, within the pair budget (an explicit
 * maxPairs, else what the memory free holds: PairBudgetExceededError before any
 * pair is generated).
 */
export function blockPairs(input: BlockInput): Blocked {
  const { table, settings, mode } = input;
  const presentFields = new Set(Object.keys(table.columns));
  const rules = settings.blockingRules
    ? settings.blockingRules.map((rule) => compileBlockingRule(table, rule))
    : [...scaled(table, defaultBlockingRules(presentFields), mode), ...affordable(table, broadBlockingRules(presentFields), mode)];
  if (rules.length === 0) throw new SettingsError('blockingRules', 'no blocking rule applies to the fields present');
  const sessionRules = input.training ? trainingRules(settings, table, rules) : [];
  // An explicit maxPairs is the user's; the default is what the memory free holds.
  const budget =
    settings.maxPairs !== undefined
      ? { maxPairs: settings.maxPairs, basis: undefined }
      : defaultPairBudget(pairCost(input.comparisons.length, sessionRules.length, input.clusteringMethod, table.size));
  const pairs = generatePairs(table, rules, { mode, maxPairs: budget.maxPairs, budgetBasis: budget.basis });
  const space = totalPairs(table, mode);
  input.progress({ stage: 'block', done: pairs.count, total: pairs.count });
  return { pairs, space, rules, sessionRules };
}
