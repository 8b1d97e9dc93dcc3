/** @mpi/index/cli: the index's commands, for the `mpi` program of @mpi/cli. */
export { addIndexCommands } from './index-commands.js';
export { addMatchCommand } from './match-command.js';
