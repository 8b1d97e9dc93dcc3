import { MpiError } from '@mpi/types';

/**
 * DuckDB's kind of error ('Conversion Error', 'IO Error', 'Out of Memory
 * Error', ...): the words before the first colon of its message; undefined
 * when the error is not shaped as one of DuckDB's.
 */
export function engineErrorKind(error: unknown): string | undefined {
  if (!(error instanceof Error) || error instanceof MpiError) return undefined;
  return /^([A-Za-z][A-Za-z ]*Error): /.exec(error.message)?.[1];
}

/**
 * The parts of DuckDB's messages that can be repeated without a record value,
 * by the shape of the message's first line. DuckDB quotes the values it could
 * not handle (`Could not convert string 'SMITH' to DATE`), prints a failing
 * CSV line whole on the next lines (`Original Line: ...`), and `error()` puts
 * whatever SQL gave it after the kind, unquoted: so nothing of a message is
 * kept unless its shape is known, and then only the words of the shape (a
 * type name, a line number), never a quoted or free part. Each pattern is
 * anchored at both ends of the line, so a value holding the pattern's words
 * cannot move what is captured.
 */
const SAFE_DETAILS: readonly (readonly [RegExp, (match: RegExpExecArray) => string])[] = [
  [/^Conversion Error: Could not convert string .* to ([A-Z][A-Z0-9_]*)(?: when casting from source column [A-Za-z_]\w*)?$/, (m) => `a string could not be converted to ${m[1]}`],
  [/^Conversion Error: invalid date field format: .*, expected format is \(YYYY-MM-DD\)(?: when casting from source column [A-Za-z_]\w*)?$/, () => 'a string could not be converted to DATE'],
  [/^Conversion Error: Type ([A-Z][A-Z0-9_]*) with value .* can't be cast because the value is out of range for the destination type ([A-Z][A-Z0-9_]*)$/, (m) => `a ${m[1]} value is out of range for ${m[2]}`],
  [/^[A-Za-z ]+Error: CSV Error on Line: (\d+)$/, (m) => `CSV error on line ${m[1]}`],
  [/^IO Error: .*No space left on device.*$/, () => NO_SPACE_LEFT],
  // Sizes only: what a run at scale needs to be told to raise (the 50M run said "Out of Memory Error" and nothing else).
  [/^Out of Memory Error: failed to offload data block of size [\d.]+ [KMGTPi]*B \([\d.]+ [KMGTPi]*B\/[\d.]+ [KMGTPi]*B used\)\.$/, () => SPILL_FULL],
  [/^Out of Memory Error: (?:could not|failed to) allocate (?:block|data) of size [\d.]+ [KMGTPi]*B \([\d.]+ [KMGTPi]*B\/[\d.]+ [KMGTPi]*B used\)$/, () => MEMORY_FULL],
];

/** The detail of an error that found the spill folder full: DuckDB's max_temp_directory_size (--max-spill), or the disk's free space when that is less. */
export const SPILL_FULL = "the spill folder is full (--max-spill, or the disk's free space if that is less)";

/** The detail of an error that found DuckDB's memory full and could spill no more (its memory limit, or the spill folder's when that stopped the offload). */
export const MEMORY_FULL = "DuckDB's memory is full and no more could be spilled (--memory-limit, --max-spill)";

/** The detail of an IO Error that ran out of disk (SqlEngineError.detail): callers map it to ENOSPC. */
export const NO_SPACE_LEFT = 'no space left on device';

/**
 * A DuckDB error with its message reduced to what cannot be a record value:
 * the kind (as `name`) and, for a message of a known shape, its detail
 * (SAFE_DETAILS). It stands in for DuckDB's own error wherever one is kept
 * (a `cause`), since util.inspect and console.error print a cause's message
 * and stack, which begin with DuckDB's message. A new error, not DuckDB's
 * altered: its stack is where it was made, so no line of DuckDB's remains.
 */
export class EngineErrorSummary extends Error {
  constructor(
    /** DuckDB's kind of error, or the error's class name when it is not DuckDB's. */
    readonly kind: string,
    /** What of the message is known to hold no value, if anything. */
    readonly detail: string | undefined,
  ) {
    super(detail ?? "the engine's message is withheld: it may quote record values");
    this.name = kind;
  }
}

/** The summary of any error an engine call threw (see EngineErrorSummary); our own MpiErrors need none. */
export function summarizeEngineError(error: unknown): EngineErrorSummary {
  if (error instanceof EngineErrorSummary) return error;
  if (error instanceof SqlEngineError) return new EngineErrorSummary(error.kind, error.detail);
  const kind = engineErrorKind(error);
  if (kind === undefined) return new EngineErrorSummary(error instanceof Error ? error.name : 'error', undefined);
  const firstLine = (error as Error).message.split('\n', 1)[0];
  for (const [shape, detail] of SAFE_DETAILS) {
    const match = shape.exec(firstLine);
    if (match !== null) return new EngineErrorSummary(kind, detail(match));
  }
  return new EngineErrorSummary(kind, undefined);
}

/** What is safe to say of an engine's error, for a message: its kind, and its detail if any ('Conversion Error: a string could not be converted to DATE'). */
export function describeEngineError(error: unknown): string {
  const { kind, detail } = summarizeEngineError(error);
  return detail === undefined ? kind : `${kind}: ${detail}`;
}

/**
 * What to keep as the `cause` of an error: our own MpiErrors as they are
 * (their messages hold no values), anything else as its summary.
 */
export function causeWithoutValues(error: unknown): Error {
  return error instanceof MpiError ? error : summarizeEngineError(error);
}

/**
 * A statement of the job failed in the SQL engine. The message names the step
 * (which statement of the job: its role, never its SQL text) and the engine's
 * kind of error, with a detail only where DuckDB's message has a known shape
 * (a string that did not convert to a DATE, a CSV line number, a full disk):
 * an engine's own message may quote the values it could not handle, and
 * patient data stays out of errors. The `cause` is the summary of the
 * engine's error (EngineErrorSummary), never the engine's error itself, so
 * util.inspect and console.error print no value either.
 */
export class SqlEngineError extends MpiError {
  /** DuckDB's kind of error, e.g. 'Conversion Error', 'IO Error'. */
  readonly kind: string;
  /** What is known of the failure beyond its kind (see SAFE_DETAILS), e.g. NO_SPACE_LEFT. */
  readonly detail: string | undefined;
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    const summary = summarizeEngineError(cause);
    super('SQL_ENGINE_FAILED', `the SQL engine failed at step "${step}" (${describeEngineError(summary)})`, { cause: summary });
    this.kind = summary.kind;
    this.detail = summary.detail;
  }
}

/**
 * A table the cluster exported (cluster_labels, troubled_pairs, training_counts)
 * cannot be used: a column is absent, a value is not of its type, a row names
 * no record of the job or repeats an earlier one. Names the file, the 1-based
 * row within it and the column; never the value (an engine error as the cause
 * is kept as its summary). Code `BAD_CLUSTER_EXPORT`.
 */
export class ClusterExportError extends MpiError {
  constructor(
    readonly file: string,
    readonly row: number | undefined,
    readonly column: string | undefined,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    const at = [`cluster export ${file}`, ...(row !== undefined ? [`row ${row}`] : []), ...(column !== undefined ? [`column "${column}"`] : [])];
    super('BAD_CLUSTER_EXPORT', `${at.join(', ')}: ${detail}`, options?.cause === undefined ? undefined : { cause: causeWithoutValues(options.cause) });
  }
}

/**
 * A work database given to a resumable run (`--work-db`) cannot be used for
 * it: it belongs to another run (other sources, settings, model or options)
 * or to no run at all. Names the file and what is wrong; nothing in the file
 * was changed. Code `WORK_DATABASE_MISMATCH`.
 */
export class WorkDatabaseError extends MpiError {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super('WORK_DATABASE_MISMATCH', `work database ${path} ${detail}`);
  }
}
