/**
 * The frame every `mpi` program shares, whichever packages' commands it composes
 * (core's own program.ts, @mpi/cli with the identity index's): the same usage
 * error handling, the same exit codes, the same one-line messages.
 */
import { Command, CommanderError } from 'commander';
import { errorLine, exitCodeFor } from './exit-codes.js';

/** A new `mpi` program: name, description, --version; usage errors thrown (not exit 1) so they map to exit 2. */
export function newMpiProgram(description: string, version: string): Command {
  const program = new Command();
  // Set before the subcommands are declared: commander copies these settings into each.
  return (
    program
      .name('mpi')
      .description(description)
      .version(version, '-V, --version', 'print the version')
      .showHelpAfterError()
      // Commander would exit 1 on a usage error; throwing lets exitCodeFor map it to 2.
      .exitOverride()
      .configureOutput({ outputError: (message, write) => write(`mpi: ${message.replace(/^error: /, '')}`) })
  );
}

/** Runs the program on argv; any error becomes its exit code and one line on stderr (never a record value). */
export async function runMpiProgram(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  try {
    await program.parseAsync(argv as string[]);
  } catch (error: unknown) {
    // Commander has already printed its usage errors (see configureOutput).
    if (!(error instanceof CommanderError)) process.stderr.write(errorLine(error));
    process.exitCode = exitCodeFor(error);
  }
}
