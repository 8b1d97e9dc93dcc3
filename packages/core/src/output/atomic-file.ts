/**
 * Atomic output files: everything is written to a temporary file in the target's
 * own folder, fsynced, then renamed over the target, and the folder fsynced. A
 * reader (or the next pipeline step) sees the previous file or the complete new
 * one, never a prefix that ends on a clean row boundary and looks complete.
 *
 * Hand-written rather than the write-file-atomic package: its API takes the whole
 * content as one buffer, and groups or pairs files of 10M rows are streamed in
 * ~1 MB batches (one string per file would not fit in memory).
 */
import { close, closeSync, fchmodSync, fsync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, write } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { basename, dirname, join } from 'node:path';
import { MpiError } from '../errors.js';
import { checkOutputTarget } from './output-paths.js';

/** Writing or publishing an output failed (disk full, file too large, I/O error); the previous file is left as it was. Code `OUTPUT_WRITE_FAILED` (the CLI exits 74). */
export class OutputWriteError extends MpiError {
  readonly errno: string;
  constructor(label: string, errno: string, cause: unknown) {
    super('OUTPUT_WRITE_FAILED', `${label}: writing failed (${errno}); the previous file is left as it was`, { cause });
    this.errno = errno;
  }
}

/**
 * Temporary files not yet renamed into place or removed. A process that is
 * interrupted calls removeTemporaryFilesSync() from its signal handler: the
 * handler cannot await the writers, so the set is the one shared record of them.
 */
const live = new Set<string>();

/** Removes every temporary output file this process still has open (for signal handlers; synchronous on purpose). */
export function removeTemporaryFilesSync(): void {
  for (const path of live) {
    try {
      unlinkSync(path);
    } catch {
      // Already renamed into place or removed: nothing is left behind either way.
    }
  }
  live.clear();
}

/** The file a target path names: a symbolic link is followed, so the file it points to is replaced, not the link. */
function resolveTarget(target: string): string {
  try {
    return realpathSync(target);
  } catch {
    return target;
  }
}

/** Bytes written (fs.write's own promisified form resolves to an object; this resolves to the count). */
function writeAsync(fd: number, buffer: Uint8Array, offset: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, buffer, offset, length, null, (error, written) => (error ? reject(error) : resolve(written))));
}
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** A temporary file that becomes `target` when published. */
export class AtomicFile {
  readonly target: string;
  readonly temporary: string;
  private readonly label: string;
  private fd: number | undefined;
  /** The permissions of the file replaced, kept when another writer fills the temporary file by its path. */
  private readonly previousMode: number | undefined;

  /**
   * Creates the temporary file (named `.<target name>.<pid>-<random>.tmp` beside
   * the target, so the rename stays within one file system). Opened synchronously
   * and registered in the same turn: a signal handler can never miss a file
   * that exists.
   */
  constructor(target: string, label: string) {
    checkOutputTarget(target, label);
    this.label = label;
    this.target = resolveTarget(target);
    this.temporary = join(dirname(this.target), `.${basename(this.target)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    live.add(this.temporary);
    this.previousMode = modeOf(this.target);
    try {
      this.fd = openSync(this.temporary, 'wx', 0o666);
      // Replacing a file keeps its permissions (a 0600 file of patient ids must not become world-readable).
      if (this.previousMode !== undefined) fchmodSync(this.fd, this.previousMode);
    } catch (error) {
      this.discard();
      throw this.failure(error);
    }
  }

  /** Appends all of `data` (a loop: a write that crosses a file-size limit writes only part). */
  async write(data: string | Uint8Array): Promise<void> {
    const fd = this.open();
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      for (let offset = 0; offset < bytes.length; ) offset += await writeAsync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Flushes the content to the disk and closes the file; publish() then renames it into place. */
  async finish(): Promise<void> {
    const fd = this.open();
    try {
      await fsyncAsync(fd);
      this.fd = undefined;
      await closeAsync(fd);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /**
   * Hands the temporary file to another writer (DuckDB's COPY) by its path:
   * our descriptor is closed; finishWritten() then flushes what it wrote. The
   * file stays registered, so an interruption still removes it.
   */
  handOver(): string {
    const fd = this.open();
    this.fd = undefined;
    closeSync(fd);
    return this.temporary;
  }

  /** After handOver(): the permissions kept (the writer may have made the file anew) and the content flushed to the disk. */
  async finishWritten(): Promise<void> {
    if (this.fd !== undefined) throw new Error('AtomicFile: finishWritten() before handOver()');
    try {
      const fd = openSync(this.temporary, 'r+');
      try {
        if (this.previousMode !== undefined) fchmodSync(fd, this.previousMode);
        await fsyncAsync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw this.failure(error);
    }
  }

  /**
   * Renames the finished file over the target and fsyncs the folder so the rename
   * itself survives a crash. Synchronous: a signal handler (JavaScript, run
   * between turns of the event loop) sees the target either before or after.
   */
  publish(): void {
    if (this.fd !== undefined) throw new Error('AtomicFile: published before it was finished');
    try {
      renameSync(this.temporary, this.target);
      live.delete(this.temporary);
      syncFolder(dirname(this.target));
    } catch (error) {
      throw this.failure(error);
    }
  }

  /**
   * Closes and removes the temporary file; the target is left as it was. Never
   * throws. Called only when no write is in flight (a writer awaits each write),
   * so the descriptor is not closed under a pending write.
   */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Closed already: what matters is that the file is removed.
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.temporary);
    } catch {
      // Never created, or removed by a signal handler.
    }
    live.delete(this.temporary);
  }

  private open(): number {
    if (this.fd === undefined) throw new Error('AtomicFile: written after it was finished or discarded');
    return this.fd;
  }

  /** File-system failures become typed OutputWriteErrors; anything else (a bug) passes through unchanged. */
  private failure(error: unknown): unknown {
    const errno = errnoOf(error);
    return errno === undefined || error instanceof MpiError ? error : new OutputWriteError(this.label, errno, error);
  }
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return undefined;
  }
}

function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file through `fill` and leaves it finished but not yet in place: the
 * caller publishes several outputs together once all are written, so a failure
 * or interruption in the last one leaves every target as it was.
 */
export async function stageFile(target: string, label: string, fill: (file: AtomicFile) => Promise<void>): Promise<AtomicFile> {
  const file = new AtomicFile(target, label);
  try {
    await fill(file);
    await file.finish();
    return file;
  } catch (error) {
    file.discard();
    throw error;
  }
}

/**
 * As stageFile, for a file another writer fills by its path (DuckDB writes the
 * outputs of a DuckDB link): `fill` gets the temporary file's path; on any
 * failure the temporary file is removed and the target left as it was.
 */
export async function stageFileAt(target: string, label: string, fill: (temporaryPath: string) => Promise<void>): Promise<AtomicFile> {
  const file = new AtomicFile(target, label);
  try {
    await fill(file.handOver());
    await file.finishWritten();
    return file;
  } catch (error) {
    file.discard();
    throw error;
  }
}

/** Renames finished files into place, in order; if one rename fails, the files not yet published are removed. */
export function publishAll(files: readonly AtomicFile[]): void {
  let next = 0;
  try {
    for (; next < files.length; next++) files[next].publish();
  } catch (error) {
    for (let k = next; k < files.length; k++) files[k].discard();
    throw error;
  }
}

/** Writes one file atomically. */
export async function writeAtomically(target: string, label: string, fill: (file: AtomicFile) => Promise<void>): Promise<void> {
  publishAll([await stageFile(target, label, fill)]);
}

/** Writes `data` to `target` atomically (small outputs such as a model JSON). */
export function writeTextAtomically(target: string, label: string, data: string): Promise<void> {
  return writeAtomically(target, label, (file) => file.write(data));
}

