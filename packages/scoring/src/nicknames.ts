import { readFileSync } from 'node:fs';

// The table ships in the package's data/ folder; one level up from both src/ and dist/.
const NICKNAMES_CSV = new URL('../data/nicknames.csv', import.meta.url);

interface NicknameIndex {
  readonly table: ReadonlyMap<string, readonly string[]>;
  /** Given name -> ids of the canonical names whose group it belongs to, ascending. */
  readonly groups: ReadonlyMap<string, readonly number[]>;
}

let index: NicknameIndex | undefined;

function load(): NicknameIndex {
  const table = new Map<string, string[]>();
  const lines = readFileSync(NICKNAMES_CSV, 'utf8').split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const [canonical, relationship, nickname] = line.split(',');
    if (relationship !== 'has_nickname' || !canonical || !nickname) {
      throw new Error(`nicknames.csv line ${i + 1}: expected "name,has_nickname,nickname"`);
    }
    let nicknames = table.get(canonical);
    if (nicknames === undefined) table.set(canonical, (nicknames = []));
    if (!nicknames.includes(nickname)) nicknames.push(nickname);
  }

  // A canonical name and each of its nicknames form one group; a name can sit in
  // several groups (the table lists "bill" both as william's nickname and as canonical).
  const groups = new Map<string, number[]>();
  const join = (name: string, group: number): void => {
    const ids = groups.get(name);
    if (ids === undefined) groups.set(name, [group]);
    else if (ids[ids.length - 1] !== group) ids.push(group);
  };
  let group = 0;
  for (const [canonical, nicknames] of table) {
    join(canonical, group);
    for (const nickname of nicknames) join(nickname, group);
    group++;
  }
  return { table, groups };
}

/**
 * The shipped nickname table (ODU WS-DL "nicknames", Apache-2.0; see data/NOTICE.md):
 * canonical given name -> its nicknames, lower case. Loaded on first use.
 */
export function nicknameTable(): ReadonlyMap<string, readonly string[]> {
  return (index ??= load()).table;
}

const NO_GROUPS: readonly number[] = [];

/**
 * Ids of the nickname groups (a canonical name with its nicknames) a given name
 * belongs to, ascending; empty when the table does not know it. Two names are
 * nicknames of each other when their groups intersect.
 */
export function givenNameGroups(name: string): readonly number[] {
  return (index ??= load()).groups.get(name) ?? NO_GROUPS;
}

/** Whether two given names share a canonical name (william / bill / billy). */
export function areNicknames(a: string, b: string): boolean {
  return sharesGroup(givenNameGroups(a), givenNameGroups(b));
}

/** Whether two ascending group-id lists intersect. */
export function sharesGroup(a: readonly number[], b: readonly number[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) return true;
    if (a[i] < b[j]) i++;
    else j++;
  }
  return false;
}
