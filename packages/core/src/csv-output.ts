import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Quotes a CSV field only when it must be (comma, quote, newline, leading/trailing space). */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Writes CSV lines to a file in large batches (one write per ~1 MB), respecting
 * back-pressure, so millions of rows go out without one string per file.
 * `row()` only buffers; a caller awaits `flushIfFull()` now and then, which
 * writes once a batch is full: awaiting an async `row()` per line cost a promise
 * and a microtask turn per row (a million at 1M records).
 */
export class CsvWriter {
  private readonly stream;
  private buffer: string[] = [];
  private bytes = 0;

  constructor(path: string, header: readonly string[]) {
    this.stream = createWriteStream(path);
    this.buffer.push(header.join(','));
  }

  row(fields: readonly string[]): void {
    const line = fields.map(csvField).join(',');
    this.buffer.push(line);
    this.bytes += line.length;
  }

  /** Writes the buffered rows once they pass ~1 MB, waiting while the file is behind. */
  async flushIfFull(): Promise<void> {
    if (this.bytes > 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const ok = this.stream.write(this.buffer.join('\n') + '\n');
    this.buffer = [];
    this.bytes = 0;
    if (!ok) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
