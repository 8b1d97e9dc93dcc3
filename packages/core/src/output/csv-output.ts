import type { AtomicFile } from './atomic-file.js';

/** Quotes a CSV field only when it must be (comma, quote, newline, leading/trailing space). */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * First characters that make a spreadsheet read a cell as a formula, as OWASP's
 * CSV-injection guidance lists them: = + - @, tab and carriage return.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell for a file meant to be opened in a spreadsheet: a value that would be
 * read as a formula (an id such as `=HYPERLINK(...)` from a source system) gets a
 * leading single quote, which spreadsheets show as text. Only for the
 * spreadsheet-safe mode: the default CSV keeps ids byte for byte, as pipelines
 * join on them.
 */
export function spreadsheetSafe(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * Writes CSV lines to an atomic output file in large batches (one write per
 * ~1 MB), so millions of rows go out without one string per file.
 * `row()` only buffers; a caller awaits `flushIfFull()` now and then, which
 * writes once a batch is full: awaiting an async `row()` per line cost a promise
 * and a microtask turn per row (a million at 1M records).
 */
export class CsvWriter {
  private readonly file: AtomicFile;
  private buffer: string[] = [];
  private bytes = 0;

  constructor(file: AtomicFile, header: readonly string[]) {
    this.file = file;
    this.buffer.push(header.join(','));
  }

  row(fields: readonly string[]): void {
    const line = fields.map(csvField).join(',');
    this.buffer.push(line);
    this.bytes += line.length;
  }

  /** Writes the buffered rows once they pass ~1 MB. */
  async flushIfFull(): Promise<void> {
    if (this.bytes > 1 << 20) await this.flush();
  }

  /** Writes what is buffered; the caller then finishes and publishes the file. */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.bytes = 0;
    await this.file.write(text);
  }
}
