/**
 * The `mpi` command: a thin layer over the public API (init, link, evaluate, explain).
 * Progress and messages go to stderr, results to files, the summary and reports
 * to stdout. No record value is ever printed. Exit codes: exit-codes.ts.
 * One file per command: init.ts, link.ts, evaluate.ts, explain.ts; this one puts them together.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { addCoreCommands } from './commands.js';
import { errorLine, exitCodeFor } from './exit-codes.js';
import { installProcessGuards } from './process-guards.js';

installProcessGuards();

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const program = new Command();
// Set before the subcommands are declared: commander copies these settings into each.
program
  .name('mpi')
  .description('Patient matching: link records from many sources into identity groups.')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError()
  // Commander would exit 1 on a usage error; throwing lets exitCodeFor map it to 2.
  .exitOverride()
  .configureOutput({ outputError: (message, write) => write(`mpi: ${message.replace(/^error: /, '')}`) });

addCoreCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  const code = exitCodeFor(error);
  // Commander has already printed its usage errors (see configureOutput).
  if (!(error instanceof CommanderError)) {
    process.stderr.write(errorLine(error));
  }
  process.exitCode = code;
});
