// The HTML report options of `mpi link` and `mpi evaluate` (docs/report.md).
import { parseModel } from '@mpi/scoring';
import { MpiError } from '../errors.js';
import { DEFAULTS } from '../settings/defaults.js';
import { writeTextAtomically } from '../output/atomic-file.js';
import { checkOutputPaths } from '../output/output-paths.js';
import { buildPairsReportHtml } from '../report/build-report.js';
import { TruthIndex } from '../report/truth-pairs.js';
import { readJson } from './input-files.js';
import { readScoredPairs } from './read-scored-pairs.js';

/** --show-values only says what goes into --report-html: alone it would be silently ignored, so it is a usage error. */
export function requireReportForValues(opts: { reportHtml?: string; showValues?: boolean }): void {
  if (opts.showValues && opts.reportHtml === undefined) throw new MpiError('SHOW_VALUES_WITHOUT_REPORT', '--show-values needs --report-html');
}

/** --truth of `mpi link` only feeds --report-html's measured curve: alone it would be silently ignored, so it is a usage error. */
export function requireReportForTruth(opts: { reportHtml?: string; truth?: string }): void {
  if (opts.truth !== undefined && opts.reportHtml === undefined) throw new MpiError('BAD_ARGS', '--truth needs --report-html (mpi evaluate scores groups against a truth)');
}

/** The options `mpi evaluate` reads for its report. */
export interface EvaluateReportOptions {
  readonly groups: string;
  readonly truth: string;
  readonly reportHtml?: string;
  readonly pairs?: string;
  readonly model?: string;
  readonly threshold?: number;
}

/**
 * The report `mpi evaluate --report-html` writes, when asked: checked before
 * anything is read (it needs the scored pairs), then fed the truth as it is
 * read, then written from the pairs file once the evaluation is done.
 */
export function evaluateReport(opts: EvaluateReportOptions): { readonly truth: TruthIndex; write(): Promise<void> } | undefined {
  const { reportHtml, pairs } = opts;
  if (reportHtml === undefined) return undefined;
  if (pairs === undefined) throw new MpiError('REPORT_NEEDS_PAIRS', '--report-html needs --pairs: the scored pairs of the run (mpi link --pairs FILE --all-pairs)');
  checkOutputPaths(
    [{ option: '--report-html', path: reportHtml }],
    [
      { option: '--groups', path: opts.groups },
      { option: '--truth', path: opts.truth },
      { option: '--pairs', path: pairs },
      ...(opts.model !== undefined ? [{ option: '--model', path: opts.model }] : []),
    ],
  );
  const truth = new TruthIndex([]);
  return {
    truth,
    async write() {
      const model = opts.model === undefined ? undefined : parseModel(JSON.stringify(await readJson(opts.model, 'model')));
      const scored = await readScoredPairs(pairs, truth);
      const threshold = opts.threshold ?? DEFAULTS.threshold;
      const notes =
        scored.lowestProbability >= threshold
          ? ['The pairs file holds only links: the curves below the threshold and the estimated recall need every scored pair (mpi link --pairs FILE --all-pairs).']
          : [];
      const html = buildPairsReportHtml({ weights: scored.weights, threshold, model, truth: { pairs: scored.truth, truePairs: truth.truePairs() } }, { notes });
      await writeTextAtomically(reportHtml, '--report-html', html);
    },
  };
}
