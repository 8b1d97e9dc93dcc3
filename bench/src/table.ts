import type { KernelResult } from './kernels.js';
import type { CaseResult } from './run-case.js';
import type { ScoringStageResult, ScoringStageRun } from './scoring-stage.js';

const fmt = (x: number | undefined, digits = 4) => (x === undefined ? '-' : x.toFixed(digits));

/** A plain-text table a person can compare across runs and versions. */
export function formatTable(
  cases: readonly CaseResult[],
  peers: readonly { name: string; f1: number }[],
  extra: {
    kernels?: KernelResult[];
    generation?: { records: number; seconds: number; recordsPerSecond: number };
    scoringStage?: ScoringStageResult[];
  },
): string {
  const header = ['case', 'thr', 'cmp wrk', 'records', 'cand. pairs', 'PC', 'RR', 'precision', 'recall', 'F1', 'B3 F1', 'best-thr F1*', 'read', 'block', 'compare', 'train', 'score', 'cluster', 'write', 'total s', 'process s', 'pairs/s cmp', 'peak MiB', 'proc MiB'];
  const rows = cases.map((c) => [
    c.name,
    String(c.threads),
    String(c.workers),
    String(c.records),
    String(c.candidatePairs),
    fmt(c.pairCompleteness),
    fmt(c.reductionRatio, 6),
    fmt(c.precision),
    fmt(c.recall),
    fmt(c.f1),
    fmt(c.bcubedF1),
    c.bestThreshold ? `${fmt(c.bestThreshold.f1)}@${c.bestThreshold.threshold}` : '-',
    ...['read', 'block', 'compare', 'train', 'score', 'cluster', 'write'].map((s) => fmt(c.stages[s], 2)),
    fmt(c.pipelineSeconds, 2),
    fmt(c.processSeconds, 2),
    String(c.comparePairsPerSecond),
    String(c.peakRssMiB),
    String(c.processPeakRssMiB),
  ]);
  for (const peer of peers) rows.push([peer.name, '', '', '', '', '', '', '', '', fmt(peer.f1), ...Array(header.length - 10).fill('')]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const out: string[] = [];
  // Suites without pipeline cases (kernels, stage, generation) print only their own lines.
  if (cases.length > 0) {
    out.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line));
    out.push('PC = pair completeness of blocking, RR = reduction ratio; F1 at the default threshold (match probability 0.5), on identity groups.');
    out.push('thr = threads asked for; cmp wrk = comparison workers link() started (below 48 MiB of input, on no more cores than threads, one core stays with the main thread).');
    out.push('total s = pipeline stages and writing the groups CSV (process start excluded); process s = the whole case process, including start-up and scoring against the truth.');
    out.push('peak MiB = peak RSS of the pipeline (reading to writing the groups); proc MiB = peak RSS of the whole case process, evaluation against the truth included.');
    out.push('* best-thr F1: best threshold chosen WITH the truth, for comparison with peers that report it; not the headline figure.');
  }
  const repeated = cases.filter((c) => c.pipelineSecondsRuns);
  if (repeated.length > 0) {
    out.push('', 'repeated cases: the median run (by total s) is shown; total s of every run:');
    for (const c of repeated) out.push(`  ${c.name} (${c.threads} thr): ${c.pipelineSecondsRuns!.map((s) => s.toFixed(2)).join(', ')}`);
  }
  out.push(...threadScaling(cases, extra.kernels?.[0]?.pairsPerSecond));
  for (const stage of extra.scoringStage ?? []) out.push(...scoringStageLines(stage, extra.kernels?.[0]?.pairsPerSecond));
  if (extra.kernels) {
    out.push('', 'comparison kernel (tinybench, one thread, fresh memo per run):');
    for (const k of extra.kernels) out.push(`  ${k.name}: ${Math.round(k.pairsPerSecond)} pairs/s (${k.pairs} pairs x ${k.comparisons} comparisons, ${k.samples} samples)`);
  }
  if (extra.generation) {
    out.push('', `generation: ${extra.generation.records} records in ${extra.generation.seconds.toFixed(2)} s (${Math.round(extra.generation.recordsPerSecond)} records/s)`);
  }
  return out.join('\n');
}

/**
 * For every case run with 1 thread and with more comparison workers: the compare stage's speed-up over one
 * thread and, when the kernel was measured in the same run, its share of kernel x workers.
 */
function threadScaling(cases: readonly CaseResult[], kernelPairsPerSecond: number | undefined): string[] {
  const lines: string[] = [];
  for (const single of cases.filter((c) => c.threads === 1)) {
    for (const multi of cases.filter((c) => c.name === single.name && c.workers > 1)) {
      const speedup = multi.comparePairsPerSecond / single.comparePairsPerSecond;
      const ofKernel = kernelPairsPerSecond === undefined ? '' : `, ${((100 * multi.comparePairsPerSecond) / (kernelPairsPerSecond * multi.workers)).toFixed(0)}% of kernel x ${multi.workers}`;
      lines.push(`  ${single.name}: ${multi.workers} workers ${multi.comparePairsPerSecond} vs 1 thr ${single.comparePairsPerSecond} pairs/s = ${speedup.toFixed(2)}x${ofKernel}`);
      const multiRuns = multi.comparePairsPerSecondRuns;
      const singleRuns = single.comparePairsPerSecondRuns;
      if (multiRuns && singleRuns && multiRuns.length === singleRuns.length) {
        // Runs of one round ran minutes apart at most: the fairest pairs under the host's drift.
        const rounds = multiRuns.map((m, i) => `${(m / singleRuns[i]).toFixed(2)}x`).join(', ');
        const ofMedians = median(multiRuns) / median(singleRuns);
        lines.push(`    every round: ${rounds}; median pairs/s of every run: ${Math.round(median(multiRuns))} vs ${Math.round(median(singleRuns))} = ${ofMedians.toFixed(2)}x`);
      }
    }
  }
  return lines.length > 0 ? ['', 'compare stage, workers vs one thread (the median runs by total s; with --repeat, also round by round):', ...lines] : [];
}

/**
 * The scoring stage alone: pairs/s of compare, score and both, the median of
 * every thread count's runs, and each count's speed-up over one thread, round by
 * round (runs seconds apart) and of the medians.
 */
function scoringStageLines(stage: ScoringStageResult, kernelPairsPerSecond: number | undefined): string[] {
  const pairs = stage.candidatePairs;
  const rate = (seconds: number) => pairs / seconds;
  const counts = [...new Set(stage.runs.map((r) => r.threads))];
  const of = (threads: number) => stage.runs.filter((r) => r.threads === threads);
  const lines = [
    '',
    `${stage.name}: ${stage.records} records, ${pairs} candidate pairs x ${stage.comparisons} comparisons; fresh pools on the same pairs, thread counts alternating, ${Math.max(...stage.runs.map((r) => r.round))} round(s):`,
  ];
  for (const threads of counts) {
    const runs = of(threads);
    const stagePerSecond = runs.map((r) => rate(r.compareSeconds + r.scoreSeconds));
    const ofKernel = kernelPairsPerSecond === undefined ? '' : `; compare ${((100 * median(runs.map((r) => rate(r.compareSeconds)))) / (kernelPairsPerSecond * threads)).toFixed(0)}% of kernel x ${threads}`;
    lines.push(
      `  ${threads} thr: compare ${Math.round(median(runs.map((r) => rate(r.compareSeconds))))}, score ${Math.round(median(runs.map((r) => rate(r.scoreSeconds))))}, both ${Math.round(median(stagePerSecond))} pairs/s (medians; both, every run: ${stagePerSecond.map((x) => Math.round(x)).join(', ')})${ofKernel}`,
    );
  }
  const single = of(1);
  for (const threads of counts.filter((t) => t > 1 && single.length > 0)) {
    const multi = of(threads);
    const both = (r: ScoringStageRun) => r.compareSeconds + r.scoreSeconds;
    const rounds = multi.map((m) => {
      const one = single.find((s) => s.round === m.round);
      return one === undefined ? '-' : `${(both(one) / both(m)).toFixed(2)}x`;
    });
    const speedup = (seconds: (r: ScoringStageRun) => number) => (median(single.map(seconds)) / median(multi.map(seconds))).toFixed(2);
    lines.push(
      `  ${threads} thr vs 1: compare + score ${speedup(both)}x, compare ${speedup((r) => r.compareSeconds)}x, score ${speedup((r) => r.scoreSeconds)}x (of the medians); compare + score round by round: ${rounds.join(', ')}`,
    );
  }
  return lines;
}

function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
