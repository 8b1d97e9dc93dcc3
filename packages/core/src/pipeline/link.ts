import { availableParallelism } from 'node:os';
import { ComparisonPool } from '@mpi/scoring';
import { MpiError } from '../errors.js';
import { DEFAULTS, validateSettings } from '../settings/settings.js';
import { blockPairs } from './block.js';
import { clusterRecords } from './cluster.js';
import { consistentPrior } from './consistent-prior.js';
import { comparePairs, fitToHouseholds, loadComparisons } from './compare.js';
import { compareWorkers, readInputBytes, sourceBytes } from './compare-workers.js';
import { readRecords } from './read.js';
import { linkResult } from './result.js';
import { runFailure } from './run-errors.js';
import { scorePairs } from './score.js';
import { StageClock } from './stage-clock.js';
import { startUSample, train } from './train.js';
import type { LinkOptions, LinkResult } from './types.js';

export type { BlockingSummary, IdentityGroup, LinkOptions, LinkResult, ProgressEvent, RecordRef, Stage, StageTiming } from './types.js';

/** The threads link() may use: as asked (default: the cores), never more than the cores. */
function threadsFor(options: LinkOptions): number {
  const requested = options.threads ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) throw new MpiError('BAD_THREADS', 'threads must be a positive integer');
  // More threads than cores only share the cores, each worker with its own copy
  // of the dictionaries: `threads: 1000` started 1000 of them.
  return Math.min(requested, availableParallelism());
}

/**
 * Links records from any number of sources into identity groups:
 * read + normalize -> block -> compare -> train (EM) -> score -> cluster,
 * each stage a function of its own (this folder, a file each).
 *
 * Fails with typed errors: the input's (MpiError subclasses), the pair budget's
 * (PairBudgetExceededError, before any pair is generated; the default budget is
 * sized to the memory free, see pair-budget.ts), OutOfMemoryError when an
 * allocation fails anyway, WorkerFailedError when a comparison worker throws or
 * dies (the workers are then terminated at once). Either way no thread is left
 * running and no partial result is returned.
 */
export async function link(options: LinkOptions): Promise<LinkResult> {
  const settings = validateSettings(options.settings, { sources: options.sources.map((source) => source.name) });
  const threads = threadsFor(options);
  const mode = settings.mode ?? DEFAULTS.mode;
  const clusteringMethod = settings.clustering ?? DEFAULTS.clustering;
  const progress = options.onProgress ?? (() => {});
  const clock = new StageClock();

  // The comparison workers start now and load their modules while this thread
  // reads, when the input's size is known; an iterable's is known once read.
  const sizes = await sourceBytes(options.sources);
  const startPool = (bytes: number) => new ComparisonPool({ threads: compareWorkers(threads, bytes, options.parallelBytes) });
  let pool = sizes.every((size) => size !== undefined) ? startPool(sizes.reduce<number>((a, b) => a + b!, 0)) : undefined;
  try {
    const { sources, parallelBytes, model: given } = options;
    const table = await clock.timeAsync('read', () => readRecords({ sources, settings, threads, parallelBytes, progress }));
    clock.records = table.size;
    const workers = (pool ??= startPool(readInputBytes(sources, sizes, table)));

    // The workers compare the random pairs u is estimated from while this thread blocks.
    const loaded = clock.time('compare', () => loadComparisons({ table, settings, model: given, pool: workers }));
    const uSample = clock.time('train', () => startUSample(table, settings, mode, workers, given));
    const blocked = clock.time('block', () =>
      blockPairs({ table, settings, mode, comparisons: loaded, training: uSample !== undefined, clusteringMethod, progress }),
    );
    const { pairs, space, sessionRules } = blocked;
    clock.pairs = pairs.count;

    const adaptable = given === undefined && settings.comparisons === undefined;
    const { comparisons, share } = clock.time('compare', () => fitToHouseholds(table, pairs, loaded, adaptable));
    const compared = await clock.timeAsync('compare', () => comparePairs({ pool: workers, pairs, sessionRules, progress }));
    const { vectors, membership } = compared;
    const trained = await clock.timeAsync('train', () =>
      train({ table, settings, comparisons, pairs, space, vectors, sessionRules, rules: blocked.rules, membership, uSample, model: given, progress }),
    );
    const { weights, tf } = await clock.timeAsync('score', () => scorePairs({ table, pool: workers, model: trained, comparisons, pairs, vectors, progress }));
    // A trained model's prior is made consistent with the scores (a given model is applied as it is, unless refitPrior).
    const model = given === undefined || options.refitPrior === true ? clock.time('score', () => consistentPrior(trained, weights, space)) : trained;
    // The workers, each holding its own copy of the dictionaries, end before clustering.
    await clock.timeAsync('score', () => workers.close());

    const threshold = settings.threshold ?? DEFAULTS.threshold;
    const clustered = clock.time('cluster', () => clusterRecords({ table, pairs, weights, threshold, method: clusteringMethod, progress }));
    return linkResult({
      table,
      pairs,
      space,
      rules: blocked.rules,
      expectedTruePairs: blocked.expectedTruePairs,
      weights,
      tf,
      model,
      clustered,
      threshold,
      clusteringMethod,
      share,
      timings: clock.timings,
      workers: workers.threads,
    });
  } catch (error) {
    // Terminated at once: closing would wait for the tasks still running (a u
    // sample, the rest of a compare stage) that no one will read.
    await pool?.destroy();
    throw runFailure(error, clock, pool?.workerFailure);
  }
}
