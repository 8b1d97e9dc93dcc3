import { formatTrainingSummary } from '@mpi/scoring';
import type { LinkResult } from '../pipeline/link.js';

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

/**
 * The closing summary of a linkage: sizes, blocking, groups, seconds per stage
 * (with `writeSeconds`, the time the caller took to write its outputs). Record values never appear.
 */
export function formatSummary(result: LinkResult, writeSeconds?: number): string {
  const { table, blocking, clustering, timings } = result;
  const perSource = table.sources.map((name, s) => `${name} ${table.source.filter((x) => x === s).length}`);
  let singletons = 0;
  let largest = 0;
  for (let g = 0; g < clustering.groupCount; g++) {
    const size = clustering.start[g + 1] - clustering.start[g];
    if (size === 1) singletons++;
    largest = Math.max(largest, size);
  }
  const lines = [
    `records          ${table.size} (${perSource.join(', ')})`,
    `candidate pairs  ${blocking.candidatePairs} of ${blocking.totalPairs} (reduction ratio ${blocking.reductionRatio.toFixed(6)})`,
    ...blocking.rules.map((rule) => `  rule ${rule.name}: ${rule.pairs}`),
    `estimated PC     ${blocking.estimatedPairCompleteness?.toFixed(4) ?? 'not estimated (no two blocking rules on disjoint fields)'} (without truth; true pairs expected before blocking ${blocking.expectedTruePairs ?? 'not estimated'}); ${formatTrainingSummary(result.model)}`,
    `identity groups  ${clustering.groupCount} (${singletons} singletons, largest ${largest})`,
    `prior            ${result.model.prior.toExponential(3)}; threshold probability ${result.threshold}`,
    `compared by      ${result.workers === 0 ? 'this thread (input under 2 MiB)' : `${result.workers} worker thread${result.workers > 1 ? 's' : ''}`}`,
  ];
  if (result.householdShare !== undefined) {
    const grouped = result.model.comparisons.some((comparison) => comparison.evidenceGroup === 'household');
    lines.push(
      `households       ${result.householdShare.toFixed(3)} of address-sharing pairs differ in given name and birth date; ` +
        (grouped ? 'address, phone and family name count once' : 'each address field counts on its own'),
    );
  }
  const flags = flagCounts(result);
  if (flags.length > 0) {
    lines.push(`flagged values   ${table.flags.length} (kept flagged as evidence where readable, else missing)`);
    for (const f of flags) lines.push(`  ${f.source}.${f.column} ${f.reason}: ${f.count}`);
  }
  for (const warning of table.warnings) lines.push(`warning          ${warning.message}`);
  const stages = writeSeconds === undefined ? timings : [...timings, { stage: 'write', seconds: writeSeconds }];
  const total = stages.reduce((sum, t) => sum + t.seconds, 0);
  lines.push(`seconds          ${stages.map((t) => `${t.stage} ${t.seconds.toFixed(2)}`).join(', ')}; total ${total.toFixed(2)} (process start excluded)`);
  return lines.join('\n');
}
