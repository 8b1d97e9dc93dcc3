#!/usr/bin/env node
// The `mpi` command (package.json bin): runs the program of program.ts, mapping errors to exit codes.
import { installProcessGuards, runMpiProgram } from '@mpi/core/cli';
import { createProgram } from './program.js';

installProcessGuards();
await runMpiProgram(createProgram());
