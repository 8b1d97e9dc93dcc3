// What the index commands print: one JSON object with --json, else a line or two for a person.
import type { ChangeSummary } from '../types.js';

/** Prints a command's summary: as one JSON object with --json, else as `text`. */
export function printSummary(json: boolean, summary: object, text: string): void {
  process.stdout.write(json ? JSON.stringify(summary) + '\n' : text + '\n');
}

/** A batch's summary for a person: counts and seconds by stage. */
export function formatChange(summary: ChangeSummary): string {
  const s = summary.seconds;
  return [
    `batch ${summary.batch}: added ${summary.added}, updated ${summary.updated}, removed ${summary.removed}, decisions ${summary.decisions}`,
    `identities ${summary.identities} (created ${summary.created}, merged ${summary.merged}, split ${summary.split}, retired ${summary.retired}), records ${summary.records}, review ${summary.review}`,
    `seconds: read ${s.read.toFixed(2)}, score ${s.score.toFixed(2)}, cluster ${s.cluster.toFixed(2)}, write ${s.write.toFixed(2)}`,
    ...(summary.refresh === undefined
      ? []
      : [`model version ${summary.refresh.version} trained on ${summary.refresh.records} records (${summary.refresh.trigger}); ids changed ${summary.refresh.idsChanged}`]),
  ].join('\n');
}

/** The p-th percentile (0-100) of sorted values, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
