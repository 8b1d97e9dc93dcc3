import { parse, type ValueNode } from '@humanwhocodes/momoa';
import { MpiError } from '../errors.js';
import { InvalidSettingsError, pointer, type SettingsIssue } from './issues.js';
import { settingsIssues } from './validation.js';

/** Keys that appear twice in one object, each at the pointer of its second (and later) appearance. */
function duplicateKeys(node: ValueNode, path: (string | number)[], found: SettingsIssue[]): SettingsIssue[] {
  if (node.type === 'Object') {
    const seen = new Set<string>();
    for (const member of node.members) {
      const key = member.name.type === 'String' ? member.name.value : member.name.name;
      if (seen.has(key)) {
        found.push({ path: pointer([...path, key]), code: 'DUPLICATE_KEY', message: 'this key appears twice in one object; JSON keeps only the last, so remove one' });
      }
      seen.add(key);
      duplicateKeys(member.value, [...path, key], found);
    }
  } else if (node.type === 'Array') {
    node.elements.forEach((element, i) => duplicateKeys(element.value, [...path, i], found));
  }
  return found;
}

/**
 * Parses the text of a settings file. JSON.parse keeps the last of two repeated
 * keys without a word, so a file with `"threshold"` twice would run with
 * whichever came last; here a repeated key is an error at its path, reported
 * with every other problem of the settings. Syntax errors name the line and
 * column. `file` names the file in messages.
 */
export function parseSettingsJson(text: string, file: string): unknown {
  let body: ValueNode;
  try {
    body = parse(text, { mode: 'json' }).body;
  } catch (error) {
    const { line, column } = error as { line?: number; column?: number };
    const where = line === undefined ? '' : ` (line ${line}, column ${column})`;
    throw new MpiError('BAD_JSON', `settings file ${file} is not valid JSON${where}`);
  }
  const value: unknown = JSON.parse(text);
  const duplicates = duplicateKeys(body, [], []);
  if (duplicates.length > 0) throw new InvalidSettingsError([...duplicates, ...settingsIssues(value)]);
  return value;
}
