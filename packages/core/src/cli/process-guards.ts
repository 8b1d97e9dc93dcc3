import { interruptOpenExecutors } from '@mpi/sql';
import { removeTemporaryFilesSync } from '../output/atomic-file.js';
import { removeScratchFoldersSync } from '../output/scratch-folder.js';
import { EXIT, internalErrorText } from './exit-codes.js';

/** An error no code path caught (a bug, e.g. in an event handler) still removes temporary files and exits 70, not node's 1. */
function internalError(error: unknown): void {
  removeTemporaryFilesSync();
  removeScratchFoldersSync();
  process.stderr.write(`mpi: internal error: ${internalErrorText(error)}\n`);
  process.exit(EXIT.internal);
}

/**
 * Installs the handlers of the mpi process. A signal ends the run at once with
 * 128 + its number, after removing the temporary files of outputs being written: every output is the previous file
 * (or, if the signal came after the outputs were renamed into place, the
 * complete new one), never a prefix.
 */
export function installProcessGuards(): void {
  for (const [signal, code] of [['SIGINT', EXIT.sigint], ['SIGTERM', EXIT.sigterm]] as const) {
    process.on(signal, () => {
      // The DuckDB engine's running statement is stopped first: exit waits for it.
      interruptOpenExecutors();
      removeTemporaryFilesSync();
      removeScratchFoldersSync();
      process.stderr.write(`mpi: interrupted by ${signal}; no output was left half written\n`);
      process.exit(code);
    });
  }
  // A reader that stops early (`mpi link ... | head`) closes stdout: the results
  // on stdout are the last thing written, after every output file is in place, so
  // this is the reader's choice, not a failure (it was an internal error, exit 70).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') return internalError(error);
    process.exit(EXIT.ok);
  });
  process.on('uncaughtException', internalError);
  process.on('unhandledRejection', internalError);
}
