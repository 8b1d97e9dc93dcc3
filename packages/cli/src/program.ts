/**
 * The `mpi` command: core's commands (init, link, evaluate, explain) and the identity
 * index's (index ..., match) and the FHIR server's (serve), each a thin layer over its package's API.
 * Progress and messages go to stderr, results to files, summaries to stdout;
 * no record value is ever printed. Exit codes: docs/exit-codes.md.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { addCoreCommands, newMpiProgram } from '@mpi/core/cli';
import { addIndexCommands, addMatchCommand } from '@mpi/index/cli';
import { addServeCommand } from '@mpi/server/cli';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The `mpi` program with every command; run it with runMpiProgram (@mpi/core/cli). */
export function createProgram(): Command {
  const program = newMpiProgram('Patient matching: link records from many sources into identity groups, and keep them in an identity index.', version);
  addCoreCommands(program);
  addIndexCommands(program);
  addMatchCommand(program);
  addServeCommand(program);
  return program;
}
