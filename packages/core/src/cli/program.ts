/**
 * The `mpi` command: a thin layer over the public API (init, link, evaluate, explain).
 * Progress and messages go to stderr, results to files, the summary and reports
 * to stdout. No record value is ever printed. Exit codes: exit-codes.ts.
 * One file per command: init.ts, link.ts, evaluate.ts, explain.ts; this one puts them together.
 */
import { readFileSync } from 'node:fs';
import { addCoreCommands } from './commands.js';
import { newMpiProgram, runMpiProgram } from './mpi-program.js';
import { installProcessGuards } from './process-guards.js';

installProcessGuards();

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const program = newMpiProgram('Patient matching: link records from many sources into identity groups.', version);
addCoreCommands(program);
await runMpiProgram(program);
