/** @mpi/server/cli: `mpi serve`, for the `mpi` program of @mpi/cli. */
export { addServeCommand } from './serve-command.js';
