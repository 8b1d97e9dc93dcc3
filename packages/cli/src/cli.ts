#!/usr/bin/env node
// The `mpi` command (package.json bin): the program is in program.ts.
import './program.js';
