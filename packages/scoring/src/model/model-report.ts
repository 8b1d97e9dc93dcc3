import type { FellegiSunterModel, ModelReportRow } from './model-types.js';
import { levelWeight, priorWeight } from './match-weights.js';

/** One row per non-null level of every comparison: its m, u and match weight log2(m / u). */
export function modelReport(model: FellegiSunterModel): ModelReportRow[] {
  const rows: ModelReportRow[] = [];
  model.comparisons.forEach((comparison, c) => {
    for (let level = 1; level < comparison.levels.length; level++) {
      const m = model.m[c][level];
      const u = model.u[c][level];
      rows.push({ comparison: comparison.name, level, label: comparison.levels[level].label, m, u, matchWeight: levelWeight(m, u) });
    }
  });
  return rows;
}

/** The model as a plain-text report: prior, aligned table of levels, and how training went. */
export function formatModelReport(model: FellegiSunterModel): string {
  const lines: string[] = [];
  lines.push(`Prior (two random records match): ${formatProbability(model.prior)}  (match weight ${priorWeight(model).toFixed(2)})`);
  lines.push('');
  const header = ['comparison', 'level', 'label', 'm', 'u', 'match weight'];
  const cells = modelReport(model).map((row) => [
    row.comparison,
    String(row.level),
    row.label,
    formatProbability(row.m),
    formatProbability(row.u),
    row.matchWeight.toFixed(2),
  ]);
  const numeric = [false, true, false, true, true, true];
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((cell) => cell[i].length)));
  const format = (cell: string[]): string =>
    cell
      .map((text, i) => (numeric[i] ? text.padStart(widths[i]) : text.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(format(header));
  lines.push(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cell of cells) lines.push(format(cell));
  lines.push(...householdAloneLines(model));
  lines.push('');
  const { training } = model;
  if (training.uSampleSize !== undefined) lines.push(`u estimated on ${training.uSampleSize} random pairs`);
  lines.push(`Share of matches among candidate pairs (lambda): ${formatProbability(training.candidateLambda)}`);
  if (training.sessions.length === 0) lines.push('No EM training sessions.');
  for (const session of training.sessions) {
    lines.push(
      `EM session "${session.name}" (blocking on ${session.columns.join(', ') || 'nothing'}): ` +
        `${session.iterations} iterations, ${session.converged ? 'converged' : 'NOT converged'}` +
        `${session.finalChange !== undefined ? ` (last change ${session.finalChange.toExponential(1)})` : ''}, ` +
        `lambda ${formatProbability(session.lambda)}, estimated ${session.estimated.join(', ') || 'nothing'}`,
    );
  }
  if (training.fixedM?.length) lines.push(`m fixed by settings: ${training.fixedM.join(', ')}`);
  if (training.notEstimated?.length) {
    lines.push(`m NOT estimated (starting values kept): ${training.notEstimated.join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

/** A level whose weight for household evidence alone moves less than this (bits) is not listed. */
const LISTED_CHANGE_BITS = 0.01;

/** The levels weighed differently for a pair with household evidence alone (see householdAloneU), one line each. */
function householdAloneLines(model: FellegiSunterModel): string[] {
  const rows = model.householdAloneU;
  if (rows === undefined) return [];
  const lines = model.comparisons.flatMap((comparison, c) =>
    comparison.levels.flatMap((level, l) => {
      const u = rows[c]?.[l];
      // A term-frequency adjusted level is weighed by its value's frequency either way.
      if (l === 0 || u === undefined || level.tfAdjustment || Math.abs(Math.log2(model.u[c][l] / u)) < LISTED_CHANGE_BITS) return [];
      return [`  ${comparison.name} ${level.label}: u ${formatProbability(u)} (match weight ${levelWeight(model.m[c][l], u).toFixed(2)})`];
    }),
  );
  return lines.length === 0 ? [] : ['', 'A pair with no name, birth date or identifier to compare (household evidence alone) is weighed with u without the matches:', ...lines];
}

function formatProbability(value: number): string {
  return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential(3) : value.toFixed(4);
}

/**
 * How training went, in one line for a run summary: EM sessions converged or
 * not, the most iterations one took, the largest change at its last iteration,
 * and the training warnings by code. Never a record value.
 */
export function formatTrainingSummary(model: FellegiSunterModel): string {
  const { sessions, warnings = [] } = model.training;
  const parts: string[] = [];
  if (sessions.length === 0) parts.push('EM: no session');
  else {
    const converged = sessions.filter((session) => session.converged).length;
    const iterations = Math.max(...sessions.map((session) => session.iterations));
    const change = Math.max(...sessions.map((session) => session.finalChange ?? 0));
    parts.push(
      `EM: ${converged} of ${sessions.length} session${sessions.length > 1 ? 's' : ''} converged, at most ${iterations} iterations, largest final change ${change.toExponential(1)}`,
    );
  }
  for (const warning of warnings) parts.push(`warning ${warning.code}`);
  return parts.join('; ');
}
