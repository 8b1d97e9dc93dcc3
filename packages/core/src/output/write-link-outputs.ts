import { serializeModel } from '@mpi/scoring';
import type { Membership } from '../evaluate/evaluate.js';
import { publishAll, stageFile, type AtomicFile } from './atomic-file.js';
import type { LinkResult } from '../pipeline/link.js';
import { buildReportHtml } from '../report/build-report.js';
import { stageGroupsCsv, stagePairsCsv } from './write-results.js';

/** The files `mpi link` writes, by path; each is optional. */
export interface LinkOutputs {
  /** The identity groups CSV. */
  readonly out?: string;
  readonly pairs?: string;
  /** With `pairs`: every scored candidate pair, not only links. */
  readonly allPairs?: boolean;
  readonly modelOut?: string;
  readonly spreadsheetSafe?: boolean;
  /** The HTML report (docs/report.md). */
  readonly reportHtml?: string;
  /** With `reportHtml`: put record values of pairs near the threshold in it. */
  readonly showValues?: boolean;
  /** With `reportHtml`: the memberships of a truth file, for the measured curve and pair completeness. */
  readonly truth?: Iterable<Membership>;
}

/**
 * Writes every output of a link run to temporary files first and renames them
 * into place only once all are written: an interruption or a full disk while
 * the pairs are written leaves the groups file as it was too, not a new groups
 * file beside an old pairs file. Labels are the CLI's options, for messages.
 */
export async function writeLinkOutputs(result: LinkResult, outputs: LinkOutputs): Promise<void> {
  const spreadsheetSafe = Boolean(outputs.spreadsheetSafe);
  const staged: AtomicFile[] = [];
  try {
    if (outputs.out !== undefined) staged.push(await stageGroupsCsv(result, outputs.out, { spreadsheetSafe, label: '--out' }));
    if (outputs.pairs !== undefined) {
      const minProbability = outputs.allPairs ? 0 : result.threshold;
      staged.push((await stagePairsCsv(result, outputs.pairs, { minProbability, spreadsheetSafe, label: '--pairs' })).file);
    }
    if (outputs.modelOut !== undefined) {
      const model = serializeModel(result.model);
      staged.push(await stageFile(outputs.modelOut, '--model-out', (file) => file.write(model)));
    }
    if (outputs.reportHtml !== undefined) {
      const html = buildReportHtml(result, { showValues: outputs.showValues, truth: outputs.truth });
      staged.push(await stageFile(outputs.reportHtml, '--report-html', (file) => file.write(html)));
    }
  } catch (error) {
    for (const file of staged) file.discard();
    throw error;
  }
  publishAll(staged);
}
