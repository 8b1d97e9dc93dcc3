/**
 * @mpi/core/cli: the pieces of the `mpi` command for a program that composes
 * commands from several packages (@mpi/cli adds the identity index's). Not
 * covered by semver, as @mpi/core/advanced.
 */
import type { Command } from 'commander';
import { addEvaluateCommand } from './evaluate.js';
import { addExplainCommand } from './explain.js';
import { addLinkCommand } from './link.js';

export { addLinkCommand, addEvaluateCommand, addExplainCommand };

/** Adds every command of core's CLI (link, evaluate, explain) to a program. */
export function addCoreCommands(program: Command): void {
  addLinkCommand(program);
  addEvaluateCommand(program);
  addExplainCommand(program);
}
export { EXIT, exitCodeFor } from './exit-codes.js';
export { installProcessGuards } from './process-guards.js';
export { loadSettings, readJson } from './input-files.js';
export { sourceArg, encodingArg, withEncodings, positiveInt, probability, type NamedSource } from './options.js';
export { checkOutputPaths, type NamedPath } from '../output/output-paths.js';
export { writeAtomically, stageFile, publishAll } from '../output/atomic-file.js';
export { CsvWriter, csvField } from '../output/csv-output.js';
