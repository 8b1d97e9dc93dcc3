/**
 * Checks of output paths, made before a run so that an hour of linking is not
 * lost to a typo in --out, and so that an output never overwrites an input.
 * Errors name the option (or the kind of file), never the path or any value.
 */
import { accessSync, constants, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MpiError } from '../errors.js';

/** A file named on the command line, by the option that names it. */
export interface NamedPath {
  readonly option: string;
  readonly path: string;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw new MpiError('OUTPUT_UNREADABLE_PATH', `cannot inspect the path given (${(error as { code?: string }).code ?? 'error'})`);
  }
}

/**
 * Throws unless `target` can be replaced by a new file: an existing target is a
 * regular file (a folder, device, pipe or socket is never replaced: renaming over
 * /dev/stdout as root would remove the device), and its folder exists and is
 * writable. `label` names the output in messages ("--out", "groups file").
 */
export function checkOutputTarget(target: string, label: string): void {
  const existing = statOrUndefined(target);
  if (existing?.isDirectory()) throw new MpiError('OUTPUT_IS_FOLDER', `${label}: names a folder, not a file`);
  if (existing !== undefined && !existing.isFile()) {
    throw new MpiError('OUTPUT_NOT_REGULAR_FILE', `${label}: names a device, pipe or socket; outputs are written only to regular files`);
  }
  // Following a symbolic link: the new file is written beside the file it points to.
  const folder = dirname(existing === undefined ? resolve(target) : realpathSync(target));
  const folderStats = statOrUndefined(folder);
  if (folderStats === undefined || !folderStats.isDirectory()) throw new MpiError('OUTPUT_FOLDER_MISSING', `${label}: its folder does not exist`);
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new MpiError('OUTPUT_NOT_WRITABLE', `${label}: its folder is not writable (${(error as { code?: string }).code ?? 'error'})`);
  }
}

/**
 * What makes two paths the same file: device and inode for an existing file (so
 * a hard link or symbolic link to an input is caught), else the real path of
 * the folder joined with the name.
 */
function identity(path: string): string {
  const stats = statOrUndefined(path);
  if (stats !== undefined) return `inode ${stats.dev}:${stats.ino}`;
  let folder = dirname(resolve(path));
  try {
    folder = realpathSync(folder);
  } catch {
    // A missing folder is reported by checkOutputTarget.
  }
  return `path ${join(folder, basename(path))}`;
}

/**
 * Checks every output before a run: each can be written, none is the same file
 * as an input (a run would replace its own source), and no two are the same file
 * (the second would replace the first).
 */
export function checkOutputPaths(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): void {
  for (const output of outputs) checkOutputTarget(output.path, output.option);
  const inputIds = inputs.map((input) => ({ option: input.option, id: identity(input.path) }));
  const seen: { option: string; id: string }[] = [];
  for (const output of outputs) {
    const id = identity(output.path);
    const input = inputIds.find((candidate) => candidate.id === id);
    if (input) throw new MpiError('OUTPUT_IS_INPUT', `${output.option} names the same file as ${input.option}`);
    const earlier = seen.find((candidate) => candidate.id === id);
    if (earlier) throw new MpiError('OUTPUTS_SAME_FILE', `${earlier.option} and ${output.option} name the same file`);
    seen.push({ option: output.option, id });
  }
}
