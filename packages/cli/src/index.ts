/** @mpi/cli: the `mpi` program, for embedding it or adding commands of your own before parsing. */
export { createProgram } from './program.js';
