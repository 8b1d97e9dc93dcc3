import { formatTrainingSummary } from '@mpi/scoring';
import type { LinkResult } from '../pipeline/link.js';
import type { ColumnWarning } from '../read/record-table.js';

/** Counts of flagged values by source, column and reason: how much input was kept out of matching, without values. */
export function flagCounts(result: LinkResult): { source: string; column: string; reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const flag of result.table.flags) {
    const key = `${flag.source}\u0000${flag.column}\u0000${flag.reason}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => {
    const [source, column, reason] = key.split('\u0000');
    return { source, column, reason, count };
  });
}

/** The figures of a linkage's closing summary: counts and seconds, never a record value. */
export interface LinkSummary {
  readonly records: { readonly total: number; readonly bySource: Readonly<Record<string, number>> };
  readonly blocking: {
    readonly candidatePairs: number;
    readonly totalPairs: number;
    readonly reductionRatio: number;
    readonly rules: readonly { readonly name: string; readonly pairs: number }[];
    /** Pair completeness estimated without truth, when two blocking rules use disjoint fields. */
    readonly estimatedPairCompleteness?: number;
    /** True pairs expected before blocking, from the same estimate. */
    readonly expectedTruePairs?: number;
  };
  /** How the model was trained, in words (sessions, iterations, convergence). */
  readonly training: string;
  readonly identityGroups: { readonly count: number; readonly singletons: number; readonly largest: number };
  readonly prior: number;
  readonly threshold: number;
  /** Comparison worker threads; 0: compared on the main thread. */
  readonly workers: number;
  /** Share of address-sharing pairs that differ in given name and birth date, and whether household evidence counts once. */
  readonly households?: { readonly share: number; readonly grouped: boolean };
  /** Flagged values (kept as evidence where readable, else missing), by source, column and reason. */
  readonly flags: readonly { readonly source: string; readonly column: string; readonly reason: string; readonly count: number }[];
  /** The flags' reasons as codes, with their counts over every source and column. */
  readonly flagCodes: readonly { readonly code: string; readonly count: number }[];
  /** Whole columns a run should not pass over (table.warnings): code, source, column, values and share, and the message; never a value. */
  readonly warnings: readonly ColumnWarning[];
  /** Seconds per stage (with `write` when the caller wrote outputs) and their total, process start excluded. */
  readonly seconds: Readonly<Record<string, number>>;
}

/** The figures of a linkage's summary (with `writeSeconds`, the time the caller took to write its outputs). */
export function linkSummary(result: LinkResult, writeSeconds?: number): LinkSummary {
  const { table, blocking, clustering, timings } = result;
  const bySource: Record<string, number> = {};
  table.sources.forEach((name, s) => (bySource[name] = table.source.filter((x) => x === s).length));
  let singletons = 0;
  let largest = 0;
  for (let g = 0; g < clustering.groupCount; g++) {
    const size = clustering.start[g + 1] - clustering.start[g];
    if (size === 1) singletons++;
    largest = Math.max(largest, size);
  }
  const flags = flagCounts(result);
  const codes = new Map<string, number>();
  for (const f of flags) codes.set(f.reason, (codes.get(f.reason) ?? 0) + f.count);
  const stages = writeSeconds === undefined ? timings : [...timings, { stage: 'write', seconds: writeSeconds }];
  const seconds: Record<string, number> = {};
  for (const t of stages) seconds[t.stage] = t.seconds;
  seconds.total = stages.reduce((sum, t) => sum + t.seconds, 0);
  return {
    records: { total: table.size, bySource },
    blocking: {
      candidatePairs: blocking.candidatePairs,
      totalPairs: blocking.totalPairs,
      reductionRatio: blocking.reductionRatio,
      rules: blocking.rules,
      ...(blocking.estimatedPairCompleteness === undefined ? {} : { estimatedPairCompleteness: blocking.estimatedPairCompleteness }),
      ...(blocking.expectedTruePairs === undefined ? {} : { expectedTruePairs: blocking.expectedTruePairs }),
    },
    training: formatTrainingSummary(result.model),
    identityGroups: { count: clustering.groupCount, singletons, largest },
    prior: result.model.prior,
    threshold: result.threshold,
    workers: result.workers,
    ...(result.householdShare === undefined
      ? {}
      : { households: { share: result.householdShare, grouped: result.model.comparisons.some((comparison) => comparison.evidenceGroup === 'household') } }),
    flags,
    flagCodes: [...codes].map(([code, count]) => ({ code, count })),
    warnings: table.warnings,
    seconds,
  };
}

/** The closing summary of a linkage as text: sizes, blocking, groups, seconds per stage. Record values never appear. */
export function formatSummary(summary: LinkSummary): string {
  const { records, blocking, identityGroups: groups, workers } = summary;
  const lines = [
    `records          ${records.total} (${Object.entries(records.bySource).map(([name, n]) => `${name} ${n}`).join(', ')})`,
    `candidate pairs  ${blocking.candidatePairs} of ${blocking.totalPairs} (reduction ratio ${blocking.reductionRatio.toFixed(6)})`,
    ...blocking.rules.map((rule) => `  rule ${rule.name}: ${rule.pairs}`),
    `estimated PC     ${blocking.estimatedPairCompleteness?.toFixed(4) ?? 'not estimated (no two blocking rules on disjoint fields)'} (without truth; true pairs expected before blocking ${blocking.expectedTruePairs ?? 'not estimated'}); ${summary.training}`,
    `identity groups  ${groups.count} (${groups.singletons} singletons, largest ${groups.largest})`,
    `prior            ${summary.prior.toExponential(3)}; threshold probability ${summary.threshold}`,
    `compared by      ${workers === 0 ? 'this thread (input under 2 MiB)' : `${workers} worker thread${workers > 1 ? 's' : ''}`}`,
  ];
  if (summary.households !== undefined) {
    lines.push(
      `households       ${summary.households.share.toFixed(3)} of address-sharing pairs differ in given name and birth date; ` +
        (summary.households.grouped ? 'address, phone and family name count once' : 'each address field counts on its own'),
    );
  }
  if (summary.flags.length > 0) {
    lines.push(`flagged values   ${summary.flags.reduce((sum, f) => sum + f.count, 0)} (kept flagged as evidence where readable, else missing)`);
    for (const f of summary.flags) lines.push(`  ${f.source}.${f.column} ${f.reason}: ${f.count}`);
  }
  for (const warning of summary.warnings) lines.push(`warning          ${warning.message}`);
  const { total, ...stages } = summary.seconds;
  lines.push(`seconds          ${Object.entries(stages).map(([stage, s]) => `${stage} ${s.toFixed(2)}`).join(', ')}; total ${total.toFixed(2)} (process start excluded)`);
  return lines.join('\n');
}
