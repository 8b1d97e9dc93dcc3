import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { comparisonSpaceSize, sampleRandomPairs, type SamplingMode } from './model/random-pairs.js';
import { exactAgreements } from './model/exact-agreement.js';
import { levelCounts, uFromLevelCounts } from './model/u-probabilities.js';
import { sampleLevelCounts } from './model/sample-level-counts.js';
import { shareTable, toShared } from './shared-table.js';
import type { FellegiSunterModel, TermFrequencyInput } from './model/model-types.js';
import { checkScoreInputs, scorePairs, type ScorePairsOptions } from './model/score-pairs.js';
import type { Comparison, ComparisonVectors, PairChunk, ScoringTable } from './types.js';
import { validateComparisons } from './validate-comparisons.js';
import { compileVectorizer, vectorizePairs, type CompiledVectorizer } from './vectorizer.js';

/**
 * Pairs per worker task at most. Large, because each worker's memo (see
 * PairMemo) gains from long runs of neighbouring pairs, which share values:
 * comparing 1M generated records' 5.0M pairs with 2 workers, alternating in one
 * process, ran 1,114k pairs/s with tasks of 65,536 pairs and 1,192k with tasks
 * of 524,288 (1,131k with 1,048,576: 5 tasks for 2 workers end unevenly).
 */
const TASK_PAIRS = 1 << 19;
/**
 * Pairs per worker task at least. Above it, each task is a share of the pairs
 * not yet handed out (see taskSize): FEBRL4's 73,743 pairs once went out as
 * 65,536 + 8,207 and one of two threads did eight times the other's share.
 */
const MIN_TASK_PAIRS = 4_096;
/** An idle pool lets the process exit after this long even if close() is never called. */
const IDLE_TIMEOUT_MS = 30_000;

// One level up from both src/ and dist/: tests running from src/ use the built worker.
const WORKER_FILE = new URL('../dist/compare-worker-entry.cjs', import.meta.url);

/** What each worker receives at start-up: the name of the channel its table arrives on. */
export interface CompareWorkerData {
  readonly channel: string;
}

/**
 * Messages on a pool's channel: a worker asks for the table when it has started,
 * the pool sends it once loaded (and again to a worker that asks later).
 */
export type TableMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'table'; readonly table: ScoringTable; readonly comparisons: readonly Comparison[] };

/**
 * One worker task: a sub-range of shared pair arrays to compare, written into
 * the chunk's shared vectors at the same pairs.
 */
export interface CompareTask {
  readonly kind: 'compare';
  readonly left: Uint32Array;
  readonly right: Uint32Array;
  readonly start: number;
  readonly end: number;
  /** The whole chunk's vectors (pair i at i x width), in shared memory. */
  readonly levels: Uint8Array;
}

/** One worker task: draw a random-pair sample part by part (see sampleRandomPairsPart), compare it, return its level counts. */
export interface SampleTask {
  readonly kind: 'sample';
  readonly mode: SamplingMode;
  readonly sampleSize: number;
  readonly seed: number;
}

/**
 * One worker task: match weights of pairs [start, end) of a chunk, written into
 * the chunk's shared scores at the same pairs.
 */
export interface ScoreTask {
  readonly kind: 'score';
  readonly model: FellegiSunterModel;
  /** Term-frequency inputs by comparison, in shared memory. */
  readonly tf: readonly (TermFrequencyInput | null)[] | undefined;
  readonly left: Uint32Array;
  readonly right: Uint32Array;
  readonly levels: Uint8Array;
  readonly start: number;
  readonly end: number;
  /** The whole chunk's scores, in shared memory. */
  readonly scores: Float64Array;
}

export type PoolTask = CompareTask | SampleTask | ScoreTask;

/** Options of {@link ComparisonPool.estimateU}. */
export interface USampleOptions {
  readonly mode: SamplingMode;
  /** Random pairs to compare (every pair when the comparison space is no larger). */
  readonly sampleSize: number;
  readonly seed: number;
}

/** Options of {@link ComparisonPool}. */
export interface ComparisonPoolOptions {
  /** The table to compare; when left out, give it later with {@link ComparisonPool.load}. */
  readonly table?: ScoringTable;
  /** The comparisons, given with the table. */
  readonly comparisons?: readonly Comparison[];
  /**
   * Worker threads, a non-negative integer. 0 compares on the calling thread,
   * with the same results: for a small input, a worker's start-up and its own
   * cold copy of the comparison code cost more than it saves (see link()).
   */
  readonly threads: number;
}

/**
 * Computes comparison vectors and match weights on worker threads (piscina), or on the calling
 * thread when made with 0 threads. The table is shared with the workers once;
 * tasks carry only pair ranges, and results are written into shared memory in
 * place. Results are identical for any number of threads.
 *
 * The workers start when the pool is made, and the table can follow: a caller
 * that makes the pool before reading its records overlaps the workers' start-up
 * (module loading, the nickname table) with the read.
 */
export class ComparisonPool {
  readonly threads: number;
  private width = -1;
  /** Undefined with 0 threads: everything runs on the calling thread. */
  private readonly workers:
    | { readonly piscina: Piscina<PoolTask, void | Float64Array[]>; readonly channel: BroadcastChannel }
    | undefined;
  private loaded: (TableMessage & { kind: 'table' }) | undefined;
  /** The calling thread's vectorizer, with 0 threads, compiled on first use. */
  private vectorizer: CompiledVectorizer | undefined;
  /** The first worker failure (or destroy()), and the pool's destruction it started (see fail). */
  private failed: { readonly error: unknown; readonly byWorker: boolean; readonly destroyed: Promise<void> } | undefined;
  /** Rejects with the first worker failure: every task of the pool races it, so none waits on a destroyed worker. */
  private readonly failure: Promise<never>;
  private rejectFailure!: (error: unknown) => void;

  /** @throws InvalidComparisonError when a comparison does not fit the table. */
  constructor(options: ComparisonPoolOptions) {
    const { table, comparisons, threads } = options;
    if (!Number.isInteger(threads) || threads < 0) throw new RangeError('ComparisonPool: threads must be a non-negative integer');
    if ((table === undefined) !== (comparisons === undefined)) throw new TypeError('ComparisonPool: give the table and the comparisons together');
    // Fail here, in the caller's stack, rather than as a worker start-up error.
    if (table !== undefined) validateComparisons(table, comparisons!);
    this.threads = threads;
    this.failure = new Promise<never>((_, reject) => (this.rejectFailure = reject));
    // Only the tasks racing it report the failure.
    this.failure.catch(() => {});
    this.workers = threads === 0 ? undefined : startWorkers(threads, () => this.loaded, (error) => this.fail(error));
    if (table !== undefined) this.load(table, comparisons!);
  }

  /**
   * The first error a worker raised (a task that threw, a worker that died or
   * failed to start), or undefined. After it the pool is destroyed: every pending
   * and later task rejects with it.
   */
  get workerFailure(): unknown {
    return this.failed?.byWorker ? this.failed.error : undefined;
  }

  /**
   * Ends the pool on the first worker failure: terminates every worker at once
   * rather than letting the others finish their tasks (piscina's close() waits for
   * them, the rest of a 1M-pair compare stage), and rejects every task pending.
   * Piscina replaces a dead worker and would go on; a run missing one task's
   * vectors must not.
   */
  private fail(error: unknown, byWorker = true): void {
    if (this.failed !== undefined || this.workers === undefined) return;
    const { piscina, channel } = this.workers;
    const destroyed = piscina.destroy().finally(() => channel.close());
    this.failed = { error, byWorker, destroyed };
    this.rejectFailure(error);
  }

  /** Runs a task on a worker; rejects with the pool's first worker failure, whichever task it came from. */
  private run<T>(task: PoolTask): Promise<T> {
    if (this.failed !== undefined) return Promise.reject(this.failed.error);
    const running = this.workers!.piscina.run(task).catch((error: unknown) => {
      this.fail(error);
      throw error;
    });
    return Promise.race([running as Promise<T>, this.failure]);
  }

  /**
   * Shares the table and comparisons with the workers (once per pool): id arrays
   * in shared memory, dictionaries cloned once per worker.
   * @throws InvalidComparisonError when a comparison does not fit the table.
   */
  load(table: ScoringTable, comparisons: readonly Comparison[]): void {
    if (this.loaded) throw new Error('ComparisonPool: the table is already loaded');
    validateComparisons(table, comparisons);
    this.width = comparisons.length;
    if (this.workers === undefined) {
      this.loaded = { kind: 'table', table, comparisons };
    } else {
      this.loaded = { kind: 'table', table: shareTable(table, comparisons), comparisons };
      this.workers.channel.postMessage(this.loaded);
    }
  }

  /**
   * Comparison vectors of each chunk, in input order (over SharedArrayBuffers
   * when workers computed them). `onProgress` hears the
   * number of pairs compared so far as tasks finish (for progress bars only:
   * completion order varies, the results do not).
   */
  async compare(chunks: readonly PairChunk[], onProgress?: (done: number, total: number) => void): Promise<ComparisonVectors[]> {
    if (!this.loaded) throw new Error('ComparisonPool: load a table before comparing');
    for (const chunk of chunks) {
      if (chunk.right.length !== chunk.left.length) {
        throw new RangeError('ComparisonPool: a chunk has left and right arrays of different lengths');
      }
    }
    const width = this.width;
    if (this.workers === undefined) {
      const total = chunks.reduce((n, chunk) => n + chunk.left.length, 0);
      const vectorizer = this.inThreadVectorizer();
      let done = 0;
      return chunks.map((chunk) => {
        const vectors = vectorizePairs(vectorizer, chunk.left, chunk.right);
        done += chunk.left.length;
        onProgress?.(done, total);
        return vectors;
      });
    }
    // Workers write the vectors straight into shared memory: nothing is copied
    // back, and neither side allocates per task. Copied-back results (~6 MiB a
    // task at 1M records) made both the workers and this thread collect garbage
    // for "external memory pressure" while comparing, and the collectors' helper
    // threads then took cores from the workers.
    const vectors = chunks.map((chunk): ComparisonVectors => ({ width, levels: new Uint8Array(new SharedArrayBuffer(chunk.left.length * width)) }));
    const shared = chunks.map(sharedPairs);
    await this.runRanges(
      chunks,
      (i, start, end) => this.run({ kind: 'compare', ...shared[i], start, end, levels: vectors[i].levels }),
      onProgress,
    );
    return vectors;
  }

  /**
   * Match weights of every pair (see scorePairs), one Float64Array per chunk,
   * computed by the workers into shared memory (with 0 threads, on this thread).
   * The same for any number of threads. Needs no loaded table. Term-frequency
   * inputs already in shared memory (a @mpi/core table's) are not copied.
   * @throws Error when the vectors do not fit the chunks and the model.
   */
  async score(options: ScorePairsOptions): Promise<Float64Array[]> {
    const { model, chunks, vectors } = options;
    if (this.workers === undefined) return scorePairs(options);
    checkScoreInputs(options);
    const tf = options.tf?.map((input) => input && { ids: toShared(input.ids), tf: toShared(input.tf), ...(input.slots ? { slots: input.slots.map((ids) => toShared(ids)) } : {}) });
    const scores = chunks.map((chunk) => new Float64Array(new SharedArrayBuffer(chunk.left.length * Float64Array.BYTES_PER_ELEMENT)));
    const shared = chunks.map((chunk, i) => ({ ...sharedPairs(chunk), levels: toShared(vectors[i].levels) }));
    await this.runRanges(chunks, (i, start, end) => this.run({ kind: 'score', model, tf, ...shared[i], start, end, scores: scores[i] }));
    return scores;
  }

  /**
   * Runs `run` on every chunk in ranges of taskSize pairs, all queued before any
   * is awaited so all threads stay busy across chunks. `onProgress` hears the
   * pairs done so far as tasks finish (for progress bars only: completion order
   * varies, the results do not).
   */
  private async runRanges(
    chunks: readonly PairChunk[],
    run: (chunk: number, start: number, end: number) => Promise<unknown>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    const total = chunks.reduce((n, chunk) => n + chunk.left.length, 0);
    let done = 0;
    let remaining = total;
    const pending: Promise<unknown>[] = [];
    chunks.forEach((chunk, i) => {
      const pairs = chunk.left.length;
      for (let start = 0, end = 0; start < pairs; start = end) {
        end = Math.min(pairs, start + taskSize(remaining, this.threads));
        remaining -= end - start;
        const task = run(i, start, end);
        const range = end - start;
        pending.push(onProgress === undefined ? task : task.then(() => onProgress((done += range), total)));
      }
    });
    await Promise.all(pending);
  }

  /**
   * u probabilities from random pairs of the whole comparison space. A space no
   * larger than the sample is compared whole; otherwise one worker draws the
   * sample part by part (with replacement, see sampleRandomPairsPart), compares
   * each part and returns only the summed level counts, so neither the drawing
   * nor the vectors touch this thread (with 0 threads, this thread does it all
   * in its next idle turn). The same for any number of threads. A comparison whose
   * first level is `exact` takes that level's u from the value counts of the
   * whole space instead (see exactAgreements), the sample sharing out the rest.
   */
  async estimateU(options: USampleOptions): Promise<number[][]> {
    const loaded = this.loaded;
    if (!loaded) throw new Error('ComparisonPool: load a table before estimating u');
    const { table, comparisons } = loaded;
    const { mode, seed } = options;
    const sampleSize = Math.max(0, Math.floor(options.sampleSize));
    if (comparisonSpaceSize(table.size, table.source, mode) <= sampleSize) {
      const all = sampleRandomPairs({ size: table.size, source: table.source, mode, sampleSize, seed });
      return uFromLevelCounts(levelCounts(await this.compare([all]), comparisons), comparisons, exactAgreements(table, comparisons, mode));
    }
    // The whole sample is one task: it runs on one worker while the caller goes on
    // working (link() blocks meanwhile), and leaves the other cores to the caller.
    // Piscina posts a queued task only from this thread's event loop, so parts
    // queued as tasks of their own waited while the caller blocked.
    const sampled = this.workers === undefined ? undefined : this.run<Float64Array[]>({ kind: 'sample', mode, sampleSize, seed });
    // Awaited below; this guard keeps a failure meanwhile from counting as unhandled.
    sampled?.catch(() => {});
    // The value counts (and with 0 threads the sample too) wait for this thread's
    // next idle turn: a caller that goes on with synchronous work then waits on
    // the workers anyway, and the counting fits in that wait instead of
    // lengthening its stage.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const exact = exactAgreements(table, comparisons, mode);
    const counts = sampled ? await sampled : sampleLevelCounts(this.inThreadVectorizer(), table, comparisons, { mode, sampleSize, seed });
    return uFromLevelCounts(counts, comparisons, exact);
  }

  /**
   * Stops the workers; the pool cannot be used afterwards. After a worker
   * failure, waits for the workers to be terminated (see fail).
   */
  async close(): Promise<void> {
    // The channel stays open until the workers have finished: a worker that
    // started after the table was sent asks for it on the channel, and its task
    // waits for the answer (closing the channel first left a u-sample task waiting
    // forever when link() failed early, and close() timed out after 30 s).
    if (this.workers === undefined) return;
    if (this.failed === undefined) {
      await this.workers.piscina.close();
      this.workers.channel.close();
    }
    await this.failed?.destroyed;
  }

  /**
   * Terminates the workers at once, tasks running or not, and rejects every task
   * pending: for a caller that gives up (its own error) and wants no thread left.
   */
  async destroy(): Promise<void> {
    this.fail(new Error('ComparisonPool: destroyed'), false);
    await this.failed?.destroyed;
  }

  private inThreadVectorizer(): CompiledVectorizer {
    this.vectorizer ??= compileVectorizer(this.loaded!.table, this.loaded!.comparisons);
    return this.vectorizer;
  }
}

/** A chunk's pair arrays in shared memory (themselves when already there). */
function sharedPairs(chunk: PairChunk): PairChunk {
  return { left: toShared(chunk.left), right: toShared(chunk.right) };
}

/**
 * Pairs of the next task when `remaining` pairs are still to be handed out:
 * a share of what remains (guided self-scheduling), so tasks shrink towards the
 * end and the threads finish together. Equal tasks of 524,288 pairs left one of
 * two workers idle for 0.15-0.3 s of a 3.1 s compare stage at 1M records.
 */
function taskSize(remaining: number, threads: number): number {
  return Math.min(TASK_PAIRS, Math.max(MIN_TASK_PAIRS, Math.ceil(remaining / (2 * threads))));
}

/**
 * Starts the piscina pool and the channel the table reaches its workers on;
 * `loaded` gives the table once there is one, for a worker that asks after it was sent.
 * `onError` hears the errors piscina raises outside a task (a worker that dies
 * idle or fails to start, a close that times out).
 */
function startWorkers(threads: number, loaded: () => TableMessage | undefined, onError: (error: unknown) => void) {
  const workerData: CompareWorkerData = { channel: `mpi-compare-${randomUUID()}` };
  // Open before any worker starts, so no worker's request for the table is missed.
  const channel = new BroadcastChannel(workerData.channel);
  channel.onmessage = (event) => {
    const table = loaded();
    if ((event as { data: TableMessage }).data.kind === 'ready' && table) channel.postMessage(table);
  };
  // The channel alone never keeps the process alive (piscina's own idle timeout decides).
  channel.unref();
  const piscina = new Piscina<PoolTask, void | Float64Array[]>({
    filename: WORKER_FILE.href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: IDLE_TIMEOUT_MS,
    // An idle worker must run its event loop: with piscina's default 'sync' it
    // sleeps in Atomics.wait, and the table sent on the channel reached it only
    // with its first task (FEBRL4: a second worker compiled its vectorizer
    // after the blocking stage instead of during it). Tasks here are large, so
    // the faster hand-off of atomics is not missed.
    atomics: 'disabled',
    // Tasks run in the order queued, which taskSize relies on to shrink them
    // towards the end. By default a task that finds no idle worker goes back to
    // the tail of piscina's queue: at 1M records, the last small tasks of the
    // last chunk ran before big ones of earlier chunks, and one worker then
    // compared alone for 0.3-0.8 s.
    stricterFIFO: true,
    workerData,
  });
  // Piscina emits an error no task can take (a worker's uncaught error while
  // idle, a close that timed out) as an 'error' event: unheard, it is thrown on
  // this thread as an uncaught exception.
  piscina.on('error', onError);
  return { piscina, channel };
}
