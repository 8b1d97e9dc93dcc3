/**
 * The `mpi` command: core's commands (link, evaluate, explain) and the identity
 * index's (index ..., match), each a thin layer over its package's API.
 * Progress and messages go to stderr, results to files, summaries to stdout;
 * no record value is ever printed. Exit codes: docs/exit-codes.md.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { addCoreCommands } from '@mpi/core/cli';
import { addIndexCommands, addMatchCommand } from '@mpi/index/cli';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The `mpi` program with every command; parse it with `parseAsync` (errors are thrown, see cli.ts). */
export function createProgram(): Command {
  const program = new Command();
  // Set before the subcommands are declared: commander copies these settings into each.
  program
    .name('mpi')
    .description('Patient matching: link records from many sources into identity groups, and keep them in an identity index.')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError()
    // Commander would exit 1 on a usage error; throwing lets exitCodeFor map it to 2.
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`mpi: ${message.replace(/^error: /, '')}`) });
  addCoreCommands(program);
  addIndexCommands(program);
  addMatchCommand(program);
  return program;
}
