// Failures of a run that are not the input's fault: memory ran out, a
// comparison worker failed. link() throws these instead of the raw RangeError or
// piscina's error, so a caller (and the CLI) can tell them apart by code. Like
// every MpiError they name stages and counts, never a record value: a worker's
// own message may quote what it was reading, so it stays in `cause` only.
import { MpiError } from '../errors.js';

/** What link() had reached when it failed, for the message. */
export interface RunFigures {
  readonly stage: string;
  readonly records?: number;
  readonly pairs?: number;
}

function where({ stage, records, pairs }: RunFigures): string {
  const counts = [records === undefined ? '' : `${records} records`, pairs === undefined ? '' : `${pairs} candidate pairs`].filter(Boolean);
  return `in the ${stage} stage${counts.length > 0 ? ` (${counts.join(', ')})` : ''}`;
}

/**
 * Memory ran out: an ArrayBuffer could not be allocated (under an address-space
 * limit, a cgroup, strict overcommit) or a comparison worker hit its heap limit.
 * No result was produced. Code `OUT_OF_MEMORY` (the CLI exits 70).
 */
export class OutOfMemoryError extends MpiError {
  readonly stage: string;
  constructor(figures: RunFigures, cause: unknown) {
    super(
      'OUT_OF_MEMORY',
      `ran out of memory ${where(figures)}; no result was produced. Lower maxPairs (--max-pairs) or use stricter blocking rules, or run where more memory is free`,
      { cause },
    );
    this.stage = figures.stage;
  }
}

/**
 * A comparison worker threw or died. The pool was destroyed at once (no thread
 * is left running) and no result was produced. Code `WORKER_FAILED` (the CLI exits 70).
 */
export class WorkerFailedError extends MpiError {
  readonly stage: string;
  constructor(figures: RunFigures, cause: unknown) {
    super('WORKER_FAILED', `a comparison worker failed ${where(figures)} (${summary(cause)}); the run was stopped and no result was produced`, { cause });
    this.stage = figures.stage;
  }
}

/** The error's class and, for a worker that exited, its exit code: nothing from its message that could quote data. */
function summary(error: unknown): string {
  if (!(error instanceof Error)) return 'a non-error value was thrown';
  const exit = /exited with code: (-?\d+)/.exec(error.message);
  return exit ? `the worker exited with code ${exit[1]}` : `${error.name}${hasCode(error) ? ` ${error.code}` : ''}`;
}

function hasCode(error: Error): error is Error & { code: string } {
  return typeof (error as { code?: unknown }).code === 'string';
}

/**
 * Whether an error is a failed allocation: an ArrayBuffer the system refused
 * ("Array buffer allocation failed"), or a worker stopped at its heap limit.
 * (The main thread's own heap limit aborts the process: link() keeps clear of it
 * by sizing the pair budget, see pair-budget.ts.)
 */
export function isOutOfMemory(error: unknown): boolean {
  if (error instanceof RangeError && /Array buffer allocation failed/.test(error.message)) return true;
  return error instanceof Error && hasCode(error) && error.code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/**
 * The error link() throws for `error`: a worker failure (the pool's first, when
 * `error` is it) or a failed allocation becomes typed; anything else, such as an
 * MpiError of the input, passes as it is.
 */
export function runFailure(error: unknown, figures: RunFigures, workerFailure: unknown): unknown {
  if (error instanceof MpiError) return error;
  if (isOutOfMemory(error)) return new OutOfMemoryError(figures, error);
  if (workerFailure !== undefined && error === workerFailure) return new WorkerFailedError(figures, error);
  return error;
}
