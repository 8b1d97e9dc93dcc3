// The types of link()'s options and result, and of its progress events.
import type { CandidatePairs } from '@mpi/blocking';
import type { FellegiSunterModel, MatchExplanation } from '@mpi/scoring';
import type { Clustering, ClusteringMethod } from '../cluster/cluster.js';
import type { RecordTable } from '../read/record-table.js';
import type { SourceInput } from '../read/sources.js';
import type { Settings } from '../settings/settings.js';

/** The pipeline's stages, in order. */
export type Stage = 'read' | 'block' | 'compare' | 'train' | 'score' | 'cluster';

/** Progress of a stage; `done`/`total` count records or pairs (the DuckDB engine's compare stage: blocks of its comparison join). Never carries record values. */
export interface ProgressEvent {
  readonly stage: Stage;
  readonly done: number;
  readonly total: number;
}

/** What link() links: the settings, the sources, and how to run (threads, a trained model, progress). */
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
  /**
   * With `model`: fit its prior to these records (the share of candidate pairs
   * its m and u score as matches, as a trained model's prior is fitted) instead
   * of keeping the prior it was trained with. For a model trained on a sample
   * and applied to a larger population: the prior is the chance that two
   * records match, which falls as the records grow (m and u travel, it does
   * not). Default false: a given model is applied as it is.
   */
  readonly refitPrior?: boolean;
  /** Called as each stage advances (on the calling thread); never given record values. */
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

/** Wall-clock time one stage of a run took. */
export interface StageTiming {
  readonly stage: Stage;
  readonly seconds: number;
}

/** What blocking produced: candidate pairs per rule, in total, and against all possible pairs. */
export interface BlockingSummary {
  readonly rules: readonly { readonly name: string; readonly pairs: number }[];
  readonly candidatePairs: number;
  /** Pairs in the comparison space (all pairs, or cross-source pairs in link mode). */
  readonly totalPairs: number;
  /** 1 - candidate pairs / total pairs. */
  readonly reductionRatio: number;
  /**
   * True pairs the data was estimated to hold before blocking, from the default
   * rules' pair counts (they size the broad rules); undefined with the settings' rules.
   */
  readonly expectedTruePairs: number | undefined;
  /**
   * Pair completeness estimated without the truth: expected matches among the
   * candidate pairs over the matches capture-recapture across blocking rules on
   * disjoint fields says the data holds. Undefined when no two rules read
   * disjoint fields. Errs high when errors in different fields go together.
   */
  readonly estimatedPairCompleteness: number | undefined;
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
