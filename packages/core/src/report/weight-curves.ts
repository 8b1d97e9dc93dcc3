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
  readonly truth: { readonly truePerBin: Float64Array; readonly knownPerBin: Float64Array; readonly atThreshold: { links: number; truePairs: number; known: number }; readonly trueCandidatePairs: number } | null;
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
  if (low > high) return [0, 1];
  const start = Math.floor(low);
  const width = Math.max(1, Math.ceil((Math.floor(high) + 1 - start) / MAX_BINS));
  const edges = [start];
  while (edges[edges.length - 1] <= high) edges.push(edges[edges.length - 1] + width);
  return edges;
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
  const counts = new Float64Array(bins);
  const expected = new Float64Array(bins);
  const truePerBin = new Float64Array(bins);
  const knownPerBin = new Float64Array(bins);
  let links = 0;
  let expectedLinks = 0;
  let expectedAll = 0;
  const measured = { links: 0, truePairs: 0, known: 0 };
  let trueCandidatePairs = 0;
  weights.forEach((chunk, c) => {
    const known = truth?.[c];
    for (let k = 0; k < chunk.length; k++) {
      const w = chunk[k];
      const p = matchProbability(w);
      const bin = Number.isNaN(w) ? 0 : Math.min(bins - 1, Math.max(0, Math.floor((w - start) / width)));
      counts[bin]++;
      expected[bin] += p;
      expectedAll += p;
      const isLink = p >= threshold;
      if (isLink) {
        links++;
        expectedLinks += p;
      }
      if (known !== undefined && known[k] >= 0) {
        knownPerBin[bin]++;
        truePerBin[bin] += known[k];
        trueCandidatePairs += known[k];
        if (isLink) {
          measured.links++;
          measured.known++;
          measured.truePairs += known[k];
        }
      }
    }
  });
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
    histogram: { edges, counts: Array.from(counts) },
    estimated: { curve, atThreshold: { links, precision: ratio(expectedLinks, links), recall: ratio(expectedLinks, expectedAll) } },
    truth: truth === undefined ? null : { truePerBin, knownPerBin, atThreshold: measured, trueCandidatePairs },
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
