/**
 * Typed errors of the engine. Messages name the source, row and column and never
 * contain a record's value (patient data stays out of logs and error reports).
 * Their base class, MpiError, is shared with @mpi/blocking and @mpi/scoring.
 */
import { MpiError } from '@mpi/types';

export { MpiError };

/** Where a problem was found: the source, 1-based data row (header excluded) and column. */
export interface InputLocation {
  readonly source?: string;
  readonly row?: number;
  readonly column?: string;
}

function locate(at: InputLocation): string {
  const parts: string[] = [];
  if (at.source !== undefined) parts.push(`source "${at.source}"`);
  if (at.row !== undefined) parts.push(`row ${at.row}`);
  if (at.column !== undefined) parts.push(`column "${at.column}"`);
  return parts.join(', ');
}

/** The settings object is not valid (unknown field kind, bad option, unknown column...). Code `SETTINGS`. */
export class SettingsError extends MpiError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('SETTINGS', `settings ${path}: ${message}`);
    this.path = path;
  }
}

/** A problem with one source's input, located by source, row and column; its subclasses below, each with its own code. */
export class SourceError extends MpiError {
  readonly source: string;
  readonly row: number | undefined;
  readonly column: string | undefined;
  /** The problem without its location (the message is the location, then this). */
  readonly detail: string;
  constructor(code: string, at: InputLocation & { source: string }, message: string, options?: { cause?: unknown }) {
    super(code, `${locate(at)}: ${message}`, options);
    this.source = at.source;
    this.row = at.row;
    this.column = at.column;
    this.detail = message;
  }
}

/** The source file is missing or unreadable. Code `SOURCE_UNREADABLE`. */
export class SourceUnreadableError extends SourceError {
  constructor(source: string, message: string, cause?: unknown) {
    super('SOURCE_UNREADABLE', { source }, message, { cause });
  }
}

/** A column the settings name is absent from the source. Code `MISSING_COLUMN`. */
export class MissingColumnError extends SourceError {
  constructor(source: string, column: string) {
    super('MISSING_COLUMN', { source, column }, 'column named in settings is absent from the source header');
  }
}

/** The source holds no records. Code `EMPTY_SOURCE`. */
export class EmptySourceError extends SourceError {
  constructor(source: string) {
    super('EMPTY_SOURCE', { source }, 'source holds no records');
  }
}

/** Malformed CSV (wrong number of fields, bad quoting, oversized record). Code `MALFORMED_ROW`. */
export class MalformedRowError extends SourceError {
  constructor(source: string, row: number | undefined, reason: string, cause?: unknown) {
    super('MALFORMED_ROW', { source, row }, reason, { cause });
  }
}

/** The same record id appears twice in one source. Code `DUPLICATE_RECORD_ID`. */
export class DuplicateRecordIdError extends SourceError {
  readonly firstRow: number;
  constructor(source: string, row: number, column: string, firstRow: number) {
    super('DUPLICATE_RECORD_ID', { source, row, column }, `record id repeats the one at row ${firstRow}`);
    this.firstRow = firstRow;
  }
}

/** A value that cannot be used (wrong type, missing record id, or invalid when settings ask to fail on invalid values). Code `INVALID_VALUE`. */
export class InvalidValueError extends SourceError {
  readonly reason: string;
  constructor(source: string, row: number, column: string, reason: string) {
    super('INVALID_VALUE', { source, row, column }, `invalid value (${reason})`);
    this.reason = reason;
  }
}

/**
 * A column the settings use appears more than once in a CSV header (names are
 * compared after trimming spaces, as the header is read): which one to read
 * would be a guess. Code `DUPLICATE_COLUMN`.
 */
export class DuplicateColumnError extends SourceError {
  /** 1-based positions of the column's occurrences in the header. */
  readonly positions: readonly number[];
  constructor(source: string, column: string, positions: readonly number[]) {
    super('DUPLICATE_COLUMN', { source, column }, `column appears ${positions.length} times in the header (fields ${positions.join(', ')}); rename or remove all but one`);
    this.positions = positions;
  }
}

/**
 * A source's bytes are not text in its declared encoding (invalid UTF-8, such as
 * a Latin-1 file read as UTF-8, or UTF-16). Names the row (undefined: the header)
 * and, when known, the column where the first bad byte sits; never the bytes.
 * Code `INVALID_ENCODING`.
 */
export class EncodingError extends SourceError {
  readonly encoding: string;
  constructor(source: string, row: number | undefined, column: string | undefined, encoding: string, message: string) {
    super('INVALID_ENCODING', { source, row, column }, message);
    this.encoding = encoding;
  }
}
