#!/usr/bin/env node
// The `mpi` command (package.json bin): runs the program of program.ts, mapping errors to exit codes.
import { CommanderError } from 'commander';
import { EXIT, exitCodeFor, installProcessGuards } from '@mpi/core/cli';
import { createProgram } from './program.js';

installProcessGuards();

createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const code = exitCodeFor(error);
    // Commander has already printed its usage errors (see configureOutput).
    if (!(error instanceof CommanderError)) {
      process.stderr.write(code === EXIT.internal ? `mpi: internal error: ${(error as Error)?.message ?? String(error)}\n` : `mpi: ${(error as Error).message}\n`);
    }
    process.exitCode = code;
  });
