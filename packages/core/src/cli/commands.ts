/**
 * @mpi/core/cli: the pieces of the `mpi` command for a program that composes
 * commands from several packages (@mpi/cli adds the identity index's). Not
 * covered by semver, as @mpi/core/advanced.
 */
import type { Command } from 'commander';
import { addEvaluateCommand } from './evaluate.js';
import { addExplainCommand } from './explain.js';
import { addInitCommand } from './init.js';
import { addLinkCommand } from './link.js';
import { addSqlCommand } from './sql.js';

export { addInitCommand, addLinkCommand, addEvaluateCommand, addExplainCommand, addSqlCommand };

/**
 * Adds every command of core's CLI (init, link, evaluate, explain, sql) to a program.
 * Each takes the program's --version too (set it first), so `mpi link --version`
 * answers as `mpi --version` does.
 */
export function addCoreCommands(program: Command): void {
  const commands = [addInitCommand, addLinkCommand, addEvaluateCommand, addExplainCommand, addSqlCommand].map((add) => {
    add(program);
    return program.commands[program.commands.length - 1];
  });
  const version = program.version();
  if (version !== undefined) for (const command of commands) command.version(version, '-V, --version', 'print the version');
}
export { EXIT, exitCodeFor } from './exit-codes.js';
export { newMpiProgram, runMpiProgram } from './mpi-program.js';
export { installProcessGuards } from './process-guards.js';
export { loadSettings, readJson } from './input-files.js';
export { sourceArg, encodingArg, delimiterArg, withEncodings, withSourceOptions, addSourceOptions, positiveInt, probability, type NamedSource, type SourceOptions } from './options.js';
export { checkOutputPaths, type NamedPath } from '../output/output-paths.js';
export { writeAtomically, stageFile, publishAll } from '../output/atomic-file.js';
export { CsvWriter, csvField } from '../output/csv-output.js';
