import { describe, expect, it } from 'vitest';
import { areNicknames, givenNameGroups, nicknameTable } from '../src/index.js';

describe('nickname table', () => {
  it('loads the shipped ODU WS-DL table, canonical name -> nicknames', () => {
    const table = nicknameTable();
    expect(table.size).toBeGreaterThan(900);
    expect(table.get('william')).toEqual(expect.arrayContaining(['bill', 'billy', 'will']));
    expect(table.get('john')).toEqual(expect.arrayContaining(['jack', 'johnny']));
  });

  it('relates a name and its nickname, and two nicknames of one name', () => {
    expect(areNicknames('william', 'bill')).toBe(true);
    expect(areNicknames('bill', 'william')).toBe(true);
    expect(areNicknames('billy', 'will')).toBe(true);
    expect(areNicknames('elizabeth', 'liz')).toBe(true);
    expect(areNicknames('margaret', 'peggy')).toBe(true);
  });

  it('does not relate unrelated names or names it does not know', () => {
    expect(areNicknames('william', 'margaret')).toBe(false);
    expect(givenNameGroups('zxqv')).toEqual([]);
    expect(areNicknames('zxqv', 'zxqv')).toBe(false);
  });
});
