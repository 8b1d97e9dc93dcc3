import { readFile } from 'node:fs/promises';
import { MpiError } from '../errors.js';
import { validateSettings, type Settings } from '../settings/settings.js';

/** The text of a file the command reads, or FILE_UNREADABLE naming it. */
export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new MpiError('FILE_UNREADABLE', `cannot read ${what} file ${path} (${(error as { code?: string }).code ?? 'error'})`);
  }
}

/** A JSON file the command reads, or BAD_JSON naming it. */
export async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readText(path, what);
  try {
    return JSON.parse(text);
  } catch {
    throw new MpiError('BAD_JSON', `${what} file ${path} is not valid JSON`);
  }
}

/** A settings file, parsed (repeated keys refused) and validated. */
export async function loadSettings(path: string): Promise<Settings> {
  // Not readJson: JSON.parse keeps the last of a repeated key without a word.
  // Loaded here, as only the commands that read settings need the parser.
  const { parseSettingsJson } = await import('../settings/json.js');
  return validateSettings(parseSettingsJson(await readText(path, 'settings'), path));
}
