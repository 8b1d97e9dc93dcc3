// The match-weight histogram and the threshold curves, in two passes over the
// scored pairs (no copy of the weights: a run can hold tens of millions).
import { matchProbability } from '@mpi/scoring';
import type { AtThreshold, ThresholdCurve, WeightHistogram } from './report-data.js';

/** Most bins of the histogram; one bit wide unless the weights span more. */
const MAX_BINS = 120;

/** A pair known to be a match (1), known not to be (0), or with a record outside the truth (-1). */
export type PairTruth = Int8Array;

export interface WeightCurves {
  readonly histogram: WeightHistogram;
  readonly estimated: { readonly curve: ThresholdCurve; readonly atThreshold: AtThreshold };
  /** With truth: true and known pairs per bin and at the threshold, for measuredCurve(). */
  readonly truth: BinTallies['truth'];
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** Bin edges covering every finite weight: whole bits, one bit wide or wider to stay within MAX_BINS. */
function binEdges(weights: readonly Float64Array[]): number[] {
  let low = Infinity;
  let high = -Infinity;
  for (const chunk of weights) {
    for (const w of chunk) {
      if (!Number.isFinite(w)) continue;
      if (w < low) low = w;
      if (w > high) high = w;
    }
  }
  return edgesOfRange(low, high);
}

/** Bin edges from the lowest and highest finite weight (low > high when there is none). */
export function edgesOfRange(low: number, high: number): number[] {
  if (low > high) return [0, 1];
  const start = Math.floor(low);
  const width = Math.max(1, Math.ceil((Math.floor(high) + 1 - start) / MAX_BINS));
  const edges = [start];
  while (edges[edges.length - 1] <= high) edges.push(edges[edges.length - 1] + width);
  return edges;
}

/**
 * What the curves are made of, per bin of the histogram and at the threshold:
 * tallied over the pairs in our process (weightCurves) or by SQL (the DuckDB
 * report), then made into the curves by curvesOfTallies.
 */
export interface BinTallies {
  readonly edges: readonly number[];
  /** Pairs per bin, and the sum of their match probabilities. */
  readonly counts: Float64Array;
  readonly expected: Float64Array;
  /** Links (match probability at or above the threshold), the sum of their probabilities, and of every pair's. */
  readonly links: number;
  readonly expectedLinks: number;
  readonly expectedAll: number;
  /** With truth: per bin, pairs whose two records are in the truth and true pairs among them; the same over the links. */
  readonly truth: { readonly truePerBin: Float64Array; readonly knownPerBin: Float64Array; readonly atThreshold: { links: number; truePairs: number; known: number }; readonly trueCandidatePairs: number } | null;
}

/**
 * Histogram and estimated precision/recall by threshold from the match weights;
 * with `truth` (one PairTruth per chunk), the counts measuredCurve() needs.
 * Estimated: a pair of match probability p is a true match with probability p,
 * so links above a threshold hold sum(p) expected true matches; precision is
 * that over the links, recall that over sum(p) of every candidate pair.
 */
export function weightCurves(weights: readonly Float64Array[], threshold: number, truth?: readonly PairTruth[]): WeightCurves {
  const edges = binEdges(weights);
  const bins = edges.length - 1;
  const start = edges[0];
  const width = edges[1] - edges[0];
  const tally = new Tally(edges, truth !== undefined);
  weights.forEach((chunk, c) => {
    const known = truth?.[c];
    for (let k = 0; k < chunk.length; k++) {
      const w = chunk[k];
      const p = matchProbability(w);
      const bin = Number.isNaN(w) ? 0 : Math.min(bins - 1, Math.max(0, Math.floor((w - start) / width)));
      const inTruth = known !== undefined && known[k] >= 0;
      tally.add(bin, p >= threshold, 1, p, inTruth ? 1 : 0, inTruth ? known[k] : 0);
    }
  });
  return curvesOfTallies(tally.tallies());
}

/** BinTallies being counted: pairs added one by one (weightCurves) or a group of them at a time (SQL's rows). */
export class Tally {
  private readonly counts: Float64Array;
  private readonly expected: Float64Array;
  private readonly truePerBin: Float64Array;
  private readonly knownPerBin: Float64Array;
  private links = 0;
  private expectedLinks = 0;
  private expectedAll = 0;
  private readonly measured = { links: 0, truePairs: 0, known: 0 };
  private trueCandidatePairs = 0;

  constructor(
    private readonly edges: readonly number[],
    private readonly withTruth: boolean,
  ) {
    const bins = edges.length - 1;
    this.counts = new Float64Array(bins);
    this.expected = new Float64Array(bins);
    this.truePerBin = new Float64Array(bins);
    this.knownPerBin = new Float64Array(bins);
  }

  /** `pairs` pairs of one bin, links or not, with their summed match probability, `known` of them in the truth and `truePairs` of those true. */
  add(bin: number, isLink: boolean, pairs: number, probability: number, known: number, truePairs: number): void {
    this.counts[bin] += pairs;
    this.expected[bin] += probability;
    this.expectedAll += probability;
    if (isLink) {
      this.links += pairs;
      this.expectedLinks += probability;
    }
    if (known === 0) return;
    this.knownPerBin[bin] += known;
    this.truePerBin[bin] += truePairs;
    this.trueCandidatePairs += truePairs;
    if (isLink) {
      this.measured.links += known;
      this.measured.known += known;
      this.measured.truePairs += truePairs;
    }
  }

  tallies(): BinTallies {
    const { edges, counts, expected, links, expectedLinks, expectedAll, truePerBin, knownPerBin, measured, trueCandidatePairs } = this;
    return { edges, counts, expected, links, expectedLinks, expectedAll, truth: this.withTruth ? { truePerBin, knownPerBin, atThreshold: measured, trueCandidatePairs } : null };
  }
}

/** The histogram and the estimated curve from per-bin tallies (see weightCurves). */
export function curvesOfTallies(tallies: BinTallies): WeightCurves {
  const { edges, counts, expected, links, expectedLinks, expectedAll } = tallies;
  const bins = edges.length - 1;
  const curve = { weights: edges.slice(0, bins), precision: new Array<number | null>(bins), recall: new Array<number | null>(bins) };
  let above = 0;
  let expectedAbove = 0;
  for (let b = bins - 1; b >= 0; b--) {
    above += counts[b];
    expectedAbove += expected[b];
    curve.precision[b] = ratio(expectedAbove, above);
    curve.recall[b] = ratio(expectedAbove, expectedAll);
  }
  return {
    histogram: { edges: [...edges], counts: Array.from(counts) },
    estimated: { curve, atThreshold: { links, precision: ratio(expectedLinks, links), recall: ratio(expectedLinks, expectedAll) } },
    truth: tallies.truth,
  };
}

/** Measured precision (true links over links whose records are both in the truth) and recall (over every true pair) by threshold. */
export function measuredCurve(curves: WeightCurves, truePairs: number): { curve: ThresholdCurve; atThreshold: AtThreshold } {
  const truth = curves.truth;
  if (truth === null) throw new Error('measuredCurve: the curves were built without truth');
  const bins = truth.truePerBin.length;
  const curve = { weights: curves.estimated.curve.weights, precision: new Array<number | null>(bins), recall: new Array<number | null>(bins) };
  let trueAbove = 0;
  let knownAbove = 0;
  for (let b = bins - 1; b >= 0; b--) {
    trueAbove += truth.truePerBin[b];
    knownAbove += truth.knownPerBin[b];
    curve.precision[b] = ratio(trueAbove, knownAbove);
    curve.recall[b] = ratio(trueAbove, truePairs);
  }
  const at = truth.atThreshold;
  return { curve, atThreshold: { links: at.links, precision: ratio(at.truePairs, at.known), recall: ratio(at.truePairs, truePairs) } };
}
