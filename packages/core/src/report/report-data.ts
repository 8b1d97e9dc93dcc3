// What the HTML report shows, as plain JSON: built from a link result (or from
// a pairs file and a truth file by `mpi evaluate`), drawn by the page script.
// Nothing here is a record value unless `samples` is set (--show-values).

/** The match-weight histogram of the candidate pairs: counts[i] pairs have a weight in [edges[i], edges[i + 1]). */
export interface WeightHistogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** Precision and recall at each threshold (a match weight: pairs at or above it are links). */
export interface ThresholdCurve {
  readonly weights: readonly number[];
  readonly precision: readonly (number | null)[];
  readonly recall: readonly (number | null)[];
}

/** Precision, recall and the pairs counted, at the link threshold. */
export interface AtThreshold {
  readonly links: number;
  readonly precision: number | null;
  readonly recall: number | null;
}

/** One comparison level of the model. */
export interface LevelRow {
  readonly comparison: string;
  readonly level: number;
  readonly label: string;
  readonly m: number;
  readonly u: number;
  /** log2(m / u), the level's match weight in bits. */
  readonly matchWeight: number;
}

export interface TrainingSummary {
  readonly prior: number;
  readonly priorWeight: number;
  readonly uSampleSize: number | null;
  readonly candidateLambda: number;
  readonly sessions: readonly { readonly name: string; readonly columns: readonly string[]; readonly iterations: number; readonly converged: boolean; readonly lambda: number }[];
  readonly fixedM: readonly string[];
  readonly notEstimated: readonly string[];
}

export interface BlockingReport {
  readonly rules: readonly { readonly name: string; readonly pairs: number }[];
  readonly candidatePairs: number;
  readonly totalPairs: number;
  readonly reductionRatio: number;
}

/** Measured against a truth file: every figure counts only pairs whose two records are in it. */
export interface MeasuredReport {
  readonly curve: ThresholdCurve;
  readonly atThreshold: AtThreshold;
  /** True pairs (two records of one person) in the comparison space. */
  readonly truePairs: number;
  /** True pairs among the candidate pairs. */
  readonly trueCandidatePairs: number;
  /** trueCandidatePairs / truePairs: the share of true pairs blocking kept. */
  readonly pairCompleteness: number | null;
}

/** A pair near the threshold with the normalized values of its two records (only with showValues). */
export interface SamplePair {
  readonly matchWeight: number;
  readonly matchProbability: number;
  readonly left: { readonly source: string; readonly recordId: string };
  readonly right: { readonly source: string; readonly recordId: string };
  readonly fields: readonly { readonly field: string; readonly left: string; readonly right: string }[];
}

export interface ReportData {
  readonly title: string;
  readonly created: string;
  /** Match probability a pair needs to be linked, and the same as a match weight. */
  readonly threshold: number;
  readonly thresholdWeight: number;
  readonly records: number | null;
  readonly groups: number | null;
  readonly candidatePairs: number;
  readonly histogram: WeightHistogram;
  /** The model's own estimate, from the scored pairs' match probabilities. */
  readonly estimated: { readonly curve: ThresholdCurve; readonly atThreshold: AtThreshold };
  readonly measured: MeasuredReport | null;
  readonly levels: readonly LevelRow[] | null;
  readonly training: TrainingSummary | null;
  readonly blocking: BlockingReport | null;
  readonly samples: readonly SamplePair[] | null;
  /** Warnings about what the report could not show. */
  readonly notes: readonly string[];
}
