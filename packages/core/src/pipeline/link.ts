import { availableParallelism } from 'node:os';
import {
  compileBlockingRule,
  countRulePairs,
  type BlockingRule,
  type LinkMode,
  generatePairs,
  totalPairs,
  type CandidatePairs,
  type CompiledBlockingRule,
} from '@mpi/blocking';
import {
  ComparisonPool,
  countSessionPatterns,
  MAX_PATTERN_SESSIONS,
  compileVectorizer,
  trainModel,
  type Comparison,
  type ComparisonVectors,
  type FellegiSunterModel,
  type MatchExplanation,
  type PatternCounts,
  type TermFrequencyInput,
} from '@mpi/scoring';
import { explainRows, termFrequencyInputs } from './explain.js';
import { clusterPairs, identityId, thresholdWeight, type Clustering, type ClusteringMethod } from '../cluster/cluster.js';
import { MpiError, SettingsError } from '../errors.js';
import {
  BASE_RULE_PAIRS_PER_RECORD,
  BROAD_RULE_MIN_PAIRS,
  BROAD_RULE_PAIRS_PER_RECORD,
  broadBlockingRules,
  defaultBlockingRules,
  defaultComparisons,
  isHouseholdField,
  isPersonRule,
  tighterBlockingRule,
} from '../defaults/field-kinds.js';
import { compareWorkers, readInputBytes, sourceBytes } from './compare-workers.js';
import { defaultPairBudget, pairCost } from '../defaults/pair-budget.js';
import { runFailure } from './run-errors.js';
import { HOUSEHOLD_SHARE, householdShare, withoutHouseholdGroup } from '../defaults/households.js';
import { buildRecordTable, type RecordTable } from '../read/record-table.js';
import { DEFAULTS, defaultUSampleSize, validateSettings, type Settings } from '../settings/settings.js';
import type { SourceInput } from '../read/sources.js';

/** The pipeline's stages, in order. */
export type Stage = 'read' | 'block' | 'compare' | 'train' | 'score' | 'cluster';

/** Progress of a stage; `done`/`total` count records or pairs. Never carries record values. */
export interface ProgressEvent {
  readonly stage: Stage;
  readonly done: number;
  readonly total: number;
}

export interface LinkOptions {
  readonly settings: Settings;
  readonly sources: readonly SourceInput[];
  /**
   * Worker threads for reading large inputs and comparing pairs (default:
   * available parallelism, and never more). Results do not depend on it. Below
   * 2 MiB of input the calling thread compares alone; below `parallelBytes`, on
   * a machine with no more cores than this, one core stays with the calling
   * thread (see compareWorkers). An iterable source (not an array) is sized once
   * read, at 100 bytes a record. `LinkResult.workers` tells how many compared.
   */
  readonly threads?: number;
  /**
   * Input bytes from which every thread is used, to compare and to read CSV
   * files in parallel (default 48 MiB, the break-even measured on 2 cores; an
   * in-memory record counts as 100 bytes). Set to 0, every thread compares,
   * whatever the input's size.
   */
  readonly parallelBytes?: number;
  /** A trained model to apply instead of training one (its comparisons replace the settings'). */
  readonly model?: FellegiSunterModel;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** A record, named by its source and record id. */
export interface RecordRef {
  readonly source: string;
  readonly recordId: string;
}

/** The records that belong to one real person, with a stable id. */
export interface IdentityGroup {
  readonly id: string;
  readonly records: readonly RecordRef[];
}

export interface StageTiming {
  readonly stage: Stage;
  readonly seconds: number;
}

export interface BlockingSummary {
  readonly rules: readonly { readonly name: string; readonly pairs: number }[];
  readonly candidatePairs: number;
  /** Pairs in the comparison space (all pairs, or cross-source pairs in link mode). */
  readonly totalPairs: number;
  /** 1 - candidate pairs / total pairs. */
  readonly reductionRatio: number;
}

/** Everything a linkage produced: groups, scored pairs, the model, and how long each stage took. */
export interface LinkResult {
  readonly table: RecordTable;
  readonly pairs: CandidatePairs;
  /** Match weight of every candidate pair, chunk by chunk as in `pairs`. */
  readonly weights: readonly Float64Array[];
  readonly model: FellegiSunterModel;
  readonly clustering: Clustering;
  /** Match probability threshold used for linking. */
  readonly threshold: number;
  /** How the scored pairs were clustered. */
  readonly clusteringMethod: ClusteringMethod;
  /**
   * Share of address-sharing candidate pairs that differ in given name and birth
   * date (see householdShare); below HOUSEHOLD_SHARE the default comparisons drop
   * their household evidence group. Undefined when not measured.
   */
  readonly householdShare: number | undefined;
  readonly blocking: BlockingSummary;
  readonly timings: readonly StageTiming[];
  /** Worker threads that compared pairs; 0 when the calling thread did (see LinkOptions.threads). */
  readonly workers: number;
  /** Identity id of each identity group, by group index. */
  readonly identityIds: readonly string[];
  /** The identity groups as objects (builds one object per record: fine for results you inspect, heavy at millions). */
  groups(): IdentityGroup[];
  /** Row of a record in the table, or undefined. */
  rowOf(record: RecordRef): number | undefined;
  /** The waterfall of match-weight terms for any two records, compared with the model used. */
  explain(a: RecordRef, b: RecordRef): MatchExplanation;
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
 * Per candidate pair, which EM sessions it belongs to, MAX_PATTERN_SESSIONS
 * sessions to a mask: bit s of masks[b][i][k] is set when rule 32b + s covers
 * pair k of chunk i.
 */
function sessionMembership(candidates: CandidatePairs, rules: readonly CompiledBlockingRule[]): Uint32Array[][] {
  const batches: Uint32Array[][] = [];
  for (let first = 0; first < rules.length; first += MAX_PATTERN_SESSIONS) {
    const batch = rules.slice(first, first + MAX_PATTERN_SESSIONS);
    batches.push(
      candidates.chunks.map(({ left, right }) => {
        const masks = new Uint32Array(left.length);
        batch.forEach((rule, s) => {
          for (let k = 0; k < left.length; k++) if (rule.covers(left[k], right[k])) masks[k] |= 1 << s;
        });
        return masks;
      }),
    );
  }
  return batches;
}

/** Patterns of all candidate pairs and of each session's pairs (see sessionMembership). */
function sessionPatterns(
  candidates: CandidatePairs,
  vectors: readonly ComparisonVectors[],
  membership: readonly Uint32Array[][],
  sessions: number,
): { all: PatternCounts; sessions: PatternCounts[] } {
  if (membership.length === 0) return countSessionPatterns(candidates.chunks, vectors, undefined, 0);
  const counted = membership.map((masks, b) =>
    countSessionPatterns(candidates.chunks, vectors, masks, Math.min(MAX_PATTERN_SESSIONS, sessions - b * MAX_PATTERN_SESSIONS)),
  );
  return { all: counted[0].all, sessions: counted.flatMap((batch) => batch.sessions) };
}

/** Keeps only comparisons whose columns exist, so defaults never refer to absent fields. */
function checkColumns(table: RecordTable, comparisons: readonly Comparison[]): void {
  for (const comparison of comparisons) {
    if (!(comparison.column in table.columns)) {
      throw new SettingsError(`comparisons.${comparison.name}`, `field "${comparison.column}" is not in the record table`);
    }
  }
}

/**
 * Links records from any number of sources into identity groups:
 * read + normalize -> block -> compare -> train (EM) -> score -> cluster.
 *
 * Fails with typed errors: the input's (MpiError subclasses), the pair budget's
 * (PairBudgetExceededError, before any pair is generated; the default budget is
 * sized to the memory free, see pair-budget.ts), OutOfMemoryError when an
 * allocation fails anyway, WorkerFailedError when a comparison worker throws or
 * dies (the workers are then terminated at once). Either way no thread is left
 * running and no partial result is returned.
 */
export async function link(options: LinkOptions): Promise<LinkResult> {
  const settings = validateSettings(options.settings, { sources: options.sources.map((source) => source.name) });
  const requested = options.threads ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) throw new MpiError('BAD_THREADS', 'threads must be a positive integer');
  // More threads than cores only share the cores, each worker with its own copy
  // of the dictionaries: `threads: 1000` started 1000 of them.
  const threads = Math.min(requested, availableParallelism());
  const clusteringMethod = settings.clustering ?? DEFAULTS.clustering;
  const progress = options.onProgress ?? (() => {});
  const clock = new StageClock();

  // The comparison workers start now and load their modules while this thread
  // reads, when the input's size is known; an iterable's is known once read.
  const sizes = await sourceBytes(options.sources);
  const startPool = (bytes: number) => new ComparisonPool({ threads: compareWorkers(threads, bytes, options.parallelBytes) });
  let pool = sizes.every((size) => size !== undefined) ? startPool(sizes.reduce<number>((a, b) => a + b!, 0)) : undefined;
  try {
    const table = await buildRecordTable(options.sources, settings, threads, { parallelReadBytes: options.parallelBytes });
    clock.records = table.size;
    pool ??= startPool(readInputBytes(options.sources, sizes, table));
    const scored = await compareAndScore(options, settings, table, pool, clusteringMethod, progress, clock);
    // The workers, each holding its own copy of the dictionaries, end before clustering.
    await pool.close();
    return finish(table, scored, settings, clusteringMethod, pool.threads, clock, progress);
  } catch (error) {
    // Terminated at once: closing would wait for the tasks still running (a u
    // sample, the rest of a compare stage) that no one will read.
    await pool?.destroy();
    throw runFailure(error, clock, pool?.workerFailure);
  }
}

/** The stage link() is in, the records and candidate pairs it has, and the seconds each finished stage took. */
class StageClock {
  stage: Stage = 'read';
  records: number | undefined;
  pairs: number | undefined;
  readonly timings: StageTiming[] = [];
  private started = performance.now();

  /** Ends the current stage's timing and starts `next`'s (none after the last). */
  lap(next?: Stage): void {
    const now = performance.now();
    this.timings.push({ stage: this.stage, seconds: (now - this.started) / 1000 });
    this.started = now;
    if (next !== undefined) this.stage = next;
  }
}

/** What the read, block, compare, train and score stages give clustering. */
interface Scored {
  readonly pairs: CandidatePairs;
  readonly weights: Float64Array[];
  readonly model: FellegiSunterModel;
  readonly tf: (TermFrequencyInput | null)[];
  readonly space: number;
  readonly compiledRules: CompiledBlockingRule[];
  readonly share: number | undefined;
}

/** Blocks, compares, trains and scores the read table on the pool's workers (see link). */
async function compareAndScore(
  options: LinkOptions,
  settings: Settings,
  table: RecordTable,
  pool: ComparisonPool,
  clusteringMethod: ClusteringMethod,
  progress: (event: ProgressEvent) => void,
  clock: StageClock,
): Promise<Scored> {
  const mode = settings.mode ?? DEFAULTS.mode;
  progress({ stage: 'read', done: table.size, total: table.size });
  clock.lap('block');

  // The workers compare the random pairs u is estimated from while this thread
  // blocks: none of that depends on the candidate pairs.
  let comparisons = options.model?.comparisons ?? settings.comparisons ?? defaultComparisons(table.fieldKinds);
  checkColumns(table, comparisons);
  pool.load(table, comparisons);
  const uSampleSize = settings.uSampleSize ?? defaultUSampleSize(table.size);
  const uEstimate = options.model ? undefined : pool.estimateU({ mode, sampleSize: uSampleSize, seed: settings.seed ?? DEFAULTS.seed });
  // Awaited in the train stage; this guard only keeps an early failure from being reported as unhandled.
  uEstimate?.catch(() => {});

  const presentFields = new Set(Object.keys(table.columns));
  // Each rule is compiled once: the compiled rules serve counting, generation and EM's covers().
  const compiledRules = settings.blockingRules
    ? settings.blockingRules.map((rule) => compileBlockingRule(table, rule))
    : [...scaled(table, defaultBlockingRules(presentFields), mode), ...affordable(table, broadBlockingRules(presentFields), mode)];
  if (compiledRules.length === 0) throw new SettingsError('blockingRules', 'no blocking rule applies to the fields present');
  const sessionRules = uEstimate === undefined ? [] : trainingRules(settings, table, compiledRules);
  // An explicit maxPairs is the user's; the default is what the memory free holds.
  const budget =
    settings.maxPairs !== undefined
      ? { maxPairs: settings.maxPairs, basis: undefined }
      : defaultPairBudget(pairCost(comparisons.length, sessionRules.length, clusteringMethod, table.size));
  const pairs = generatePairs(table, compiledRules, { mode, maxPairs: budget.maxPairs, budgetBasis: budget.basis });
  clock.pairs = pairs.count;
  const space = totalPairs(table, mode);
  let share: number | undefined;
  // Only default comparisons are adapted; given ones (settings or model) are used as they are.
  if (options.model === undefined && settings.comparisons === undefined) {
    share = householdShare(table, pairs);
    if (share !== undefined && share < HOUSEHOLD_SHARE) comparisons = withoutHouseholdGroup(comparisons);
  }
  progress({ stage: 'block', done: pairs.count, total: pairs.count });
  clock.lap('compare');

  const comparing = pool.compare(pairs.chunks, (done, total) => progress({ stage: 'compare', done, total }));
  // Which EM sessions each pair belongs to is found while the workers compare
  // when a core is free for it, leaving the train stage only the counting. With
  // a worker on every core it would only take a worker's time, so it waits.
  const spareCore = pool.threads < availableParallelism();
  let membership = spareCore ? sessionMembership(pairs, sessionRules) : undefined;
  // A failure of this stage's workers is thrown here: nothing after it runs.
  const vectors = await comparing;
  progress({ stage: 'compare', done: pairs.count, total: pairs.count });
  clock.lap('train');
  membership ??= sessionMembership(pairs, sessionRules);

  let model: FellegiSunterModel;
  // uEstimate is undefined exactly when a trained model was given.
  if (uEstimate === undefined) {
    model = options.model!;
  } else {
    const u = await uEstimate;
    const counted = sessionPatterns(pairs, vectors, membership, sessionRules.length);
    const sessions = sessionRules.map((rule, s) => ({ name: rule.name, columns: rule.columns, patterns: counted.sessions[s] }));
    model = trainModel({
      comparisons,
      u,
      sessions,
      candidatePatterns: counted.all,
      candidateCount: pairs.count,
      uSampleSize,
      totalPairs: space,
      em: settings.em,
      household: comparisons.map((comparison) => isHouseholdField(comparison.column, table.fieldKinds)),
    });
  }
  // 4 bytes a pair per 32 training rules: not needed past training.
  membership = undefined;
  progress({ stage: 'train', done: 1, total: 1 });
  clock.lap('score');

  // Scored by the same workers: the vectors are already in their shared memory.
  const tf = termFrequencyInputs(table, comparisons);
  const weights = await pool.score({ model, chunks: pairs.chunks, vectors, tf });
  // The vectors (a byte a pair and comparison) are not needed past scoring:
  // dropped here, clustering's peak does not hold them (see pair-budget.ts).
  vectors.length = 0;
  progress({ stage: 'score', done: pairs.count, total: pairs.count });
  clock.lap('cluster');
  return { pairs, weights, model, tf, space, compiledRules, share };
}

/** Clusters the scored pairs into identity groups and assembles the result (see link). */
function finish(
  table: RecordTable,
  scored: Scored,
  settings: Settings,
  clusteringMethod: ClusteringMethod,
  workers: number,
  clock: StageClock,
  progress: (event: ProgressEvent) => void,
): LinkResult {
  const { pairs, weights, model, tf, space, compiledRules, share } = scored;
  const threshold = settings.threshold ?? DEFAULTS.threshold;
  const clustering = clusterPairs(table.size, pairs.chunks, weights, thresholdWeight(threshold), { method: clusteringMethod });
  const identityIds = new Array<string>(clustering.groupCount);
  for (let g = 0; g < clustering.groupCount; g++) {
    const first = clustering.members[clustering.start[g]];
    identityIds[g] = identityId(table.sources[table.source[first]], table.recordIds[first]);
  }
  progress({ stage: 'cluster', done: table.size, total: table.size });
  clock.lap();

  let rowIndex: Map<string, number> | undefined;
  const rowOf = (record: RecordRef): number | undefined => {
    if (rowIndex === undefined) {
      rowIndex = new Map();
      for (let r = 0; r < table.size; r++) rowIndex.set(`${table.sources[table.source[r]]}\u0000${table.recordIds[r]}`, r);
    }
    return rowIndex.get(`${record.source}\u0000${record.recordId}`);
  };
  let vectorizer: ReturnType<typeof compileVectorizer> | undefined;

  return {
    table,
    pairs,
    weights,
    model,
    clustering,
    threshold,
    clusteringMethod,
    householdShare: share,
    timings: clock.timings,
    workers,
    identityIds,
    blocking: {
      rules: compiledRules.map((rule, i) => ({ name: rule.name, pairs: pairs.countsByRule[i] })),
      candidatePairs: pairs.count,
      totalPairs: space,
      reductionRatio: space === 0 ? 1 : 1 - pairs.count / space,
    },
    groups() {
      const groups: IdentityGroup[] = [];
      for (let g = 0; g < clustering.groupCount; g++) {
        const records: RecordRef[] = [];
        for (let k = clustering.start[g]; k < clustering.start[g + 1]; k++) {
          const r = clustering.members[k];
          records.push({ source: table.sources[table.source[r]], recordId: table.recordIds[r] });
        }
        groups.push({ id: identityIds[g], records });
      }
      return groups;
    },
    rowOf,
    explain(a, b) {
      const left = rowOf(a);
      const right = rowOf(b);
      if (left === undefined || right === undefined) {
        const missing = left === undefined ? a : b;
        throw new MpiError('UNKNOWN_RECORD', `no record "${missing.recordId}" in source "${missing.source}"`);
      }
      vectorizer ??= compileVectorizer(table, model.comparisons);
      return explainRows(table, model, left, right, tf, vectorizer);
    },
  };
}
