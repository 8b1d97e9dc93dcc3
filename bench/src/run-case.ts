/**
 * Runs one bench case in this process and prints its figures as one JSON line.
 * The harness starts one process per case so that peak RSS belongs to the case.
 */
import { readFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, link, validateSettings, writeGroupsCsv, type Settings } from '@mpi/core';
import { bestPairThreshold, bestThreshold, memberships, pairCompleteness, truthMemberships } from './accuracy.js';
import { truthByRow, type TruthSpec } from './truth.js';

export interface BenchCase {
  readonly name: string;
  readonly settings: string;
  readonly sources: readonly { readonly name: string; readonly path: string }[];
  readonly truth?: TruthSpec;
  readonly threads: number;
  /** Also search the best threshold with the truth (labelled as such). */
  readonly bestThreshold?: boolean;
  /** Also sweep the scored pairs' match probability for their best pairwise F1, before clustering (see bestPairThreshold). */
  readonly pairSweep?: boolean;
}

/** What a case process prints when link() or the evaluation throws: the error's code (MpiError.code, or its class name) and message. */
export interface CaseFailure {
  readonly name: string;
  readonly error: { readonly code: string; readonly message: string };
}

export interface CaseResult {
  readonly name: string;
  readonly threads: number;
  /** Comparison workers link() started for the threads asked for. */
  readonly workers: number;
  readonly records: number;
  readonly candidatePairs: number;
  readonly reductionRatio: number;
  readonly pairCompleteness?: number;
  /** Pair completeness link() estimated without the truth (LinkResult.blocking.estimatedPairCompleteness). */
  readonly estimatedPairCompleteness?: number;
  readonly precision?: number;
  readonly recall?: number;
  readonly f1?: number;
  readonly bcubedF1?: number;
  readonly splitPersons?: number;
  readonly mixedGroups?: number;
  readonly bestThreshold?: { threshold: number; f1: number };
  /** Best pairwise F1 of the scored pairs alone (no clustering) over every threshold, with its precision and recall. */
  readonly bestPairThreshold?: { threshold: number; f1: number; precision: number; recall: number };
  /** Distinct true persons among the records (truth known). */
  readonly persons?: number;
  readonly groups: number;
  readonly stages: Record<string, number>;
  readonly pipelineSeconds: number;
  /** Pipeline seconds of every run when the case was repeated (the reported run is the median one). */
  readonly pipelineSecondsRuns?: number[];
  /** With --repeat, the compare stage's pairs/s of every run, in run order. */
  readonly comparePairsPerSecondRuns?: number[];
  /** Wall time of the whole case process, set by the harness. */
  readonly processSeconds?: number;
  readonly recordsPerSecond: number;
  readonly comparePairsPerSecond: number;
  /** Peak RSS up to the end of the pipeline (link and writing the groups), before the truth is evaluated. */
  readonly peakRssMiB: number;
  /** Peak RSS of the whole case process, evaluation against the truth included. */
  readonly processPeakRssMiB: number;
}

/** The process's peak resident set so far (ru_maxrss is in KiB on Linux). */
function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function runCase(spec: BenchCase): Promise<CaseResult> {
  const settings: Settings = validateSettings(JSON.parse(await readFile(spec.settings, 'utf8')));
  const result = await link({ settings, sources: spec.sources, threads: spec.threads });
  // Writing the groups file is part of end to end, as `pnpm mpi link --out` does it.
  const groupsFile = join(tmpdir(), `mpi-bench-groups-${process.pid}.csv`);
  const writeStarted = performance.now();
  try {
    await writeGroupsCsv(result, groupsFile);
  } finally {
    rmSync(groupsFile, { force: true });
  }
  const write = (performance.now() - writeStarted) / 1000;
  // The high-water mark so far is the pipeline's own: evaluating against the truth (below) holds
  // the truth table and per-record memberships, which a production run does not.
  const pipelinePeakRssMiB = peakRssMiB();
  const stages = Object.fromEntries([...result.timings.map((t) => [t.stage, Number(t.seconds.toFixed(3))]), ['write', Number(write.toFixed(3))]]);
  const pipelineSeconds = result.timings.reduce((sum, t) => sum + t.seconds, write);
  let accuracy: Partial<CaseResult> = {};
  if (spec.truth) {
    const person = await truthByRow(result.table, spec.truth);
    const report = evaluate(memberships(result, result.clustering), truthMemberships(result, person));
    accuracy = {
      pairCompleteness: pairCompleteness(result, person, settings.mode === 'link').completeness,
      precision: report.pairwise.precision,
      recall: report.pairwise.recall,
      f1: report.pairwise.f1,
      bcubedF1: report.bcubed.f1,
      splitPersons: report.splitPersons,
      mixedGroups: report.mixedGroups,
      bestThreshold: spec.bestThreshold ? bestThreshold(result, person) : undefined,
      bestPairThreshold: spec.pairSweep ? bestPairThreshold(result, person, settings.mode === 'link') : undefined,
      persons: new Set(person.filter((p) => p >= 0)).size,
    };
  }
  return {
    name: spec.name,
    threads: spec.threads,
    workers: result.workers,
    records: result.table.size,
    candidatePairs: result.pairs.count,
    reductionRatio: result.blocking.reductionRatio,
    estimatedPairCompleteness: result.blocking.estimatedPairCompleteness,
    ...accuracy,
    groups: result.clustering.groupCount,
    stages,
    pipelineSeconds: Number(pipelineSeconds.toFixed(3)),
    recordsPerSecond: Math.round(result.table.size / pipelineSeconds),
    comparePairsPerSecond: Math.round(result.pairs.count / (stages.compare || Number.EPSILON)),
    peakRssMiB: pipelinePeakRssMiB,
    processPeakRssMiB: peakRssMiB(),
  };
}

const spec = JSON.parse(process.argv[2]) as BenchCase;
runCase(spec).then(
  (result) => process.stdout.write(JSON.stringify(result) + '\n'),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    const failure: CaseFailure = { name: spec.name, error: { code: typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNKNOWN', message } };
    process.stderr.write(`bench case ${spec.name} failed: ${message}\n`);
    process.stdout.write(JSON.stringify(failure) + '\n');
    process.exitCode = 1;
  },
);
