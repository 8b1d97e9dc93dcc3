#!/usr/bin/env node
// The `mpi` command (package.json bin): the commands are in cli/.
import './cli/program.js';
