// The report of a link run (buildReportHtml) or of scored pairs read back from
// a pairs file (buildPairsReportHtml, for `mpi evaluate`).
import { modelReport, priorWeight, type FellegiSunterModel } from '@mpi/scoring';
import { thresholdWeight } from '../cluster/cluster.js';
import type { Membership } from '../evaluate/evaluate.js';
import type { LinkResult } from '../pipeline/types.js';
import type { ReportData, TrainingSummary } from './report-data.js';
import { renderReportHtml } from './render-html.js';
import { samplePairs } from './sample-pairs.js';
import { resultPairTruth, TruthIndex } from './truth-pairs.js';
import { measuredCurve, weightCurves, type PairTruth, type WeightCurves } from './weight-curves.js';

/** Options of {@link buildReportHtml}. */
export interface ReportOptions {
  /** Memberships of a truth file (source, record id, person): adds the measured precision/recall curve and pair completeness. */
  readonly truth?: Iterable<Membership>;
  /**
   * Put record values in the report: ids and normalized values of the pairs on
   * either side of the threshold. Off by default, as the report is meant to be
   * shared: with it, the file is protected health information.
   */
  readonly showValues?: boolean;
  /** The page's title (default "Record linkage report"). */
  readonly title?: string;
  /** When the report was made (default: now). */
  readonly created?: Date;
}

function trainingSummary(model: FellegiSunterModel): TrainingSummary {
  const t = model.training;
  return {
    prior: model.prior,
    priorWeight: priorWeight(model),
    uSampleSize: t.uSampleSize ?? null,
    candidateLambda: t.candidateLambda,
    sessions: t.sessions.map((s) => ({ name: s.name, columns: s.columns, iterations: s.iterations, converged: s.converged, lambda: s.lambda })),
    fixedM: t.fixedM ?? [],
    notEstimated: t.notEstimated ?? [],
  };
}

interface ScoredPairs {
  readonly weights: readonly Float64Array[];
  readonly threshold: number;
  readonly truth?: { readonly pairs: readonly PairTruth[]; readonly truePairs: number };
  readonly model?: FellegiSunterModel;
}

/** The figures every report has, from the scored pairs (and the truth of each, if known). */
function pairFigures(scored: ScoredPairs, options: ReportOptions): CommonFigures {
  return commonFigures(
    {
      curves: weightCurves(scored.weights, scored.threshold, scored.truth?.pairs),
      threshold: scored.threshold,
      candidatePairs: scored.weights.reduce((n, chunk) => n + chunk.length, 0),
      truePairs: scored.truth?.truePairs,
      model: scored.model,
    },
    options,
  );
}

/** The figures every report has, whoever tallied the curves (our process or SQL). */
export type CommonFigures = Omit<ReportData, 'records' | 'groups' | 'blocking' | 'samples' | 'notes'>;

/** What the figures every report has are made of: the curves, and with a truth the true pairs there are to find. */
export interface FigureSources {
  readonly curves: WeightCurves;
  readonly threshold: number;
  readonly candidatePairs: number;
  readonly truePairs?: number;
  readonly model?: FellegiSunterModel;
}

/** The figures every report has, from the curves of the scored pairs (see weightCurves, curvesOfTallies). */
export function commonFigures(sources: FigureSources, options: Pick<ReportOptions, 'title' | 'created'>): CommonFigures {
  const { curves, truePairs, model } = sources;
  let measured: ReportData['measured'] = null;
  if (truePairs !== undefined && curves.truth !== null) {
    const trueCandidatePairs = curves.truth.trueCandidatePairs;
    measured = { ...measuredCurve(curves, truePairs), truePairs, trueCandidatePairs, pairCompleteness: truePairs === 0 ? null : trueCandidatePairs / truePairs };
  }
  return {
    title: options.title ?? 'Record linkage report',
    created: (options.created ?? new Date()).toISOString(),
    threshold: sources.threshold,
    // A threshold of 0 or 1 is an infinite weight, drawn at the histogram's edge (JSON has no Infinity).
    thresholdWeight: Math.min(curves.histogram.edges.at(-1)!, Math.max(curves.histogram.edges[0], thresholdWeight(sources.threshold))),
    candidatePairs: sources.candidatePairs,
    histogram: curves.histogram,
    estimated: curves.estimated,
    measured,
    levels: model === undefined ? null : modelReport(model),
    training: model === undefined ? null : trainingSummary(model),
  };
}

/** The report's figures for a link result (see buildReportHtml). */
export function linkReportData(result: LinkResult, options: ReportOptions = {}): ReportData {
  const truth = options.truth === undefined ? undefined : resultPairTruth(result, new TruthIndex(options.truth));
  return {
    ...pairFigures({ weights: result.weights, threshold: result.threshold, model: result.model, truth: truth && { pairs: truth.truth, truePairs: truth.truePairs } }, options),
    records: result.table.size,
    groups: result.clustering.groupCount,
    blocking: result.blocking,
    samples: options.showValues ? samplePairs(result) : null,
    notes: [],
  };
}

/**
 * One self-contained HTML page (no network: styles, data and the chart library
 * inline) for a data team: the match-weight histogram of the candidate pairs,
 * m, u and match weight per comparison level, EM convergence, the blocking
 * rules with their pair counts, and the model's estimated precision and recall
 * by threshold; with `truth`, the measured curve beside it. Holds no record
 * value unless `showValues` is set. See docs/report.md.
 */
export function buildReportHtml(result: LinkResult, options: ReportOptions = {}): string {
  return renderReportHtml(linkReportData(result, options));
}

/** Scored pairs read back from a pairs file, for a report without the link result. */
export interface PairsReportInput {
  /** Match weights of the pairs, in any chunks. */
  readonly weights: readonly Float64Array[];
  /** The threshold the pairs were linked at. */
  readonly threshold: number;
  /** The truth of each pair (chunked as `weights`) and the true pairs there are. */
  readonly truth?: { readonly pairs: readonly PairTruth[]; readonly truePairs: number };
  /** The model that scored them, for the m and u section. */
  readonly model?: FellegiSunterModel;
}

/** The report of scored pairs without the link result: no blocking figures, no record values. */
export function buildPairsReportHtml(input: PairsReportInput, options: Omit<ReportOptions, 'truth' | 'showValues'> & { readonly notes?: readonly string[] } = {}): string {
  return renderReportHtml({ ...pairFigures(input, options), records: null, groups: null, blocking: null, samples: null, notes: options.notes ?? [] });
}
