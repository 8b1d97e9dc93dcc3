import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { serializeModel } from '@mpi/scoring';
import type { SqlLinkOptions } from './link-sql.js';

/** Bumped when what a work database holds changes shape: a file of an older layout is then refused, not misread. */
const WORK_DATABASE_LAYOUT = 2;

/**
 * What names a resumable run (RunProgress): its sources (each file by path,
 * size and modification time, as make and rsync tell a changed file, not by
 * its bytes: hashing 6 GB of CSV would take longer than the steps it saves),
 * settings, model and the options that change what is made. The same command
 * on the same files gets the same fingerprint; anything else another.
 */
export async function runFingerprint(options: SqlLinkOptions): Promise<string> {
  const sources = [];
  for (const source of options.sources) {
    if (!('path' in source)) throw new RangeError(`linkInDuckDb: a resumable run reads its sources from files; source ${source.name} is records in memory`);
    const file = await stat(source.path).then(
      (s) => ({ size: s.size, modified: s.mtimeMs }),
      () => null, // The read reports a missing file, naming the source.
    );
    sources.push({ name: source.name, path: resolve(source.path), format: source.format ?? null, encoding: source.encoding ?? null, delimiter: source.delimiter ?? null, file });
  }
  const run = {
    layout: WORK_DATABASE_LAYOUT,
    sources,
    settings: options.settings,
    model: options.model === undefined ? null : serializeModel(options.model),
    refitPrior: options.refitPrior === true,
    keepValues: options.keepValues === true && options.outputs !== undefined,
    outputsInDuckDb: options.outputs !== undefined,
  };
  return createHash('sha256').update(JSON.stringify(run)).digest('hex');
}
