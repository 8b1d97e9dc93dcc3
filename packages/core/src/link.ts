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
import { clusterPairs, identityId, thresholdWeight, type Clustering, type ClusteringMethod } from './cluster.js';
import { MpiError, SettingsError } from './errors.js';
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
} from './field-kinds.js';
import { compareWorkers, inputBytes } from './compare-workers.js';
import { HOUSEHOLD_SHARE, householdShare, withoutHouseholdGroup } from './households.js';
import { buildRecordTable, type RecordTable } from './record-table.js';
import { DEFAULTS, defaultUSampleSize, validateSettings, type Settings } from './settings.js';
import type { SourceInput } from './sources.js';

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
   * available parallelism). Results do not depend on it. Below 2 MiB of input
   * the calling thread compares alone; below `parallelBytes`, on a machine with
   * no more cores than this, one core stays with the calling thread (see
   * compareWorkers). `LinkResult.workers` tells how many compared.
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
 */
export async function link(options: LinkOptions): Promise<LinkResult> {
  const settings = validateSettings(options.settings, { sources: options.sources.map((source) => source.name) });
  const mode = settings.mode ?? DEFAULTS.mode;
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new MpiError('BAD_THREADS', 'threads must be a positive integer');
  const progress = options.onProgress ?? (() => {});
  const timings: StageTiming[] = [];
  let started = performance.now();
  const lap = (stage: Stage) => {
    const now = performance.now();
    timings.push({ stage, seconds: (now - started) / 1000 });
    started = now;
  };

  // The comparison workers start now and load their modules while this thread
  // reads; the table follows once read.
  const workers = compareWorkers(threads, await inputBytes(options.sources), options.parallelBytes);
  const pool = new ComparisonPool({ threads: workers });
  let table: RecordTable;
  let comparisons: readonly Comparison[];
  let share: number | undefined;
  let model: FellegiSunterModel;
  let pairs: CandidatePairs;
  let vectors: ComparisonVectors[];
  let weights: Float64Array[];
  let tf: (TermFrequencyInput | null)[];
  let space: number;
  let compiledRules: CompiledBlockingRule[];
  try {
    table = await buildRecordTable(options.sources, settings, threads, { parallelReadBytes: options.parallelBytes });
    progress({ stage: 'read', done: table.size, total: table.size });
    lap('read');

    // The workers compare the random pairs u is estimated from while this thread
    // blocks: none of that depends on the candidate pairs.
    comparisons = options.model?.comparisons ?? settings.comparisons ?? defaultComparisons(table.fieldKinds);
    checkColumns(table, comparisons);
    pool.load(table, comparisons);
    const uSampleSize = settings.uSampleSize ?? defaultUSampleSize(table.size);
    const uEstimate = options.model ? undefined : pool.estimateU({ mode, sampleSize: uSampleSize, seed: settings.seed ?? DEFAULTS.seed });
    // Awaited in the train stage; this guard only keeps an early failure from being reported as unhandled.
    uEstimate?.catch(() => {});

    const presentFields = new Set(Object.keys(table.columns));
    // Each rule is compiled once: the compiled rules serve counting, generation and EM's covers().
    compiledRules = settings.blockingRules
      ? settings.blockingRules.map((rule) => compileBlockingRule(table, rule))
      : [...scaled(table, defaultBlockingRules(presentFields), mode), ...affordable(table, broadBlockingRules(presentFields), mode)];
    if (compiledRules.length === 0) throw new SettingsError('blockingRules', 'no blocking rule applies to the fields present');
    pairs = generatePairs(table, compiledRules, { mode, maxPairs: settings.maxPairs ?? DEFAULTS.maxPairs });
    space = totalPairs(table, mode);
    // Only default comparisons are adapted; given ones (settings or model) are used as they are.
    if (options.model === undefined && settings.comparisons === undefined) {
      share = householdShare(table, pairs);
      if (share !== undefined && share < HOUSEHOLD_SHARE) comparisons = withoutHouseholdGroup(comparisons);
    }
    progress({ stage: 'block', done: pairs.count, total: pairs.count });
    lap('block');

    // Constant aliases, so the closures below see definitely assigned values.
    const candidates = pairs;
    const comparing = pool.compare(candidates.chunks, (done, total) => progress({ stage: 'compare', done, total }));
    const sessionRules = uEstimate === undefined ? [] : trainingRules(settings, table, compiledRules);
    // Which EM sessions each pair belongs to is found while the workers compare
    // when a core is free for it, leaving the train stage only the counting. With
    // a worker on every core it would only take a worker's time, so it waits.
    const spareCore = workers < availableParallelism();
    let membership = spareCore ? sessionMembership(candidates, sessionRules) : undefined;
    vectors = await comparing;
    progress({ stage: 'compare', done: pairs.count, total: pairs.count });
    lap('compare');
    membership ??= sessionMembership(candidates, sessionRules);

    // uEstimate is undefined exactly when a trained model was given.
    if (uEstimate === undefined) {
      model = options.model!;
    } else {
      const u = await uEstimate;
      const counted = sessionPatterns(candidates, vectors, membership, sessionRules.length);
      const sessions = sessionRules.map((rule, s) => ({ name: rule.name, columns: rule.columns, patterns: counted.sessions[s] }));
      model = trainModel({
        comparisons,
        u,
        sessions,
        candidatePatterns: counted.all,
        candidateCount: candidates.count,
        uSampleSize,
        totalPairs: space,
        em: settings.em,
        household: comparisons.map((comparison) => isHouseholdField(comparison.column, table.fieldKinds)),
      });
    }
    progress({ stage: 'train', done: 1, total: 1 });
    lap('train');

    // Scored by the same workers: the vectors are already in their shared memory.
    tf = termFrequencyInputs(table, comparisons);
    weights = await pool.score({ model, chunks: pairs.chunks, vectors, tf });
    progress({ stage: 'score', done: pairs.count, total: pairs.count });
    lap('score');
  } finally {
    await pool.close();
  }

  const threshold = settings.threshold ?? DEFAULTS.threshold;
  const clusteringMethod = settings.clustering ?? DEFAULTS.clustering;
  const clustering = clusterPairs(table.size, pairs.chunks, weights, thresholdWeight(threshold), { method: clusteringMethod });
  const identityIds = new Array<string>(clustering.groupCount);
  for (let g = 0; g < clustering.groupCount; g++) {
    const first = clustering.members[clustering.start[g]];
    identityIds[g] = identityId(table.sources[table.source[first]], table.recordIds[first]);
  }
  progress({ stage: 'cluster', done: table.size, total: table.size });
  lap('cluster');

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
    timings,
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
