import { describe, expect, it } from 'vitest';
import { applyKeyTransform, deriveDictionaryKeys, deriveRecordKeys, isAsciiAlphanumeric, isAsciiDigits, isKeyTransform } from '../src/index.js';
import { buildTable } from './table-builder.js';

describe('key transforms', () => {
  it('exact keeps the normalized value', () => {
    expect(applyKeyTransform('smith', 'exact')).toBe('smith');
    expect(applyKeyTransform('smith')).toBe('smith');
  });

  it('doubleMetaphone is the primary code of the first token', () => {
    expect(applyKeyTransform('smith', 'doubleMetaphone')).toBe('SM0');
    expect(applyKeyTransform('smyth', 'doubleMetaphone')).toBe('SM0');
    expect(applyKeyTransform('smith jones', 'doubleMetaphone')).toBe('SM0');
    expect(applyKeyTransform('123', 'doubleMetaphone')).toBe('');
  });

  it('soundex codes names, and has no key without letters', () => {
    expect(applyKeyTransform('robert', 'soundex')).toBe('R163');
    expect(applyKeyTransform('rupert', 'soundex')).toBe('R163');
    expect(applyKeyTransform('1234', 'soundex')).toBe('');
  });

  it('firstToken, lastToken and sortedTokens split on whitespace', () => {
    expect(applyKeyTransform('mary  ann lee', 'firstToken')).toBe('mary');
    expect(applyKeyTransform(' mary ann lee ', 'lastToken')).toBe('lee');
    expect(applyKeyTransform('lee mary ann', 'sortedTokens')).toBe('ann lee mary');
    expect(applyKeyTransform('ann  lee mary', 'sortedTokens')).toBe('ann lee mary');
    expect(applyKeyTransform('   ', 'firstToken')).toBe('');
    expect(applyKeyTransform('Mary2', 'firstToken')).toBe('Mary2');
    expect(applyKeyTransform('mary', 'lastToken')).toBe('mary');
    expect(applyKeyTransform('mary', 'sortedTokens')).toBe('mary');
  });

  it('tells plain ASCII letters and digits, the values that skip the regexes, from anything else', () => {
    expect(isAsciiAlphanumeric('Az09')).toBe(true);
    expect(isAsciiAlphanumeric('')).toBe(true);
    for (const other of ['a b', 'a-b', 'é', '😀', 'a\u0000', '@', '[', '`', '{', '/', ':']) expect(isAsciiAlphanumeric(other)).toBe(false);
    expect(isAsciiDigits('0123456789')).toBe(true);
    for (const other of ['12a', ' 1', '１', '/', ':']) expect(isAsciiDigits(other)).toBe(false);
  });

  it('year, yearMonth and monthDay read YYYYMMDD and have no key otherwise', () => {
    expect(applyKeyTransform('19840317', 'year')).toBe('1984');
    expect(applyKeyTransform('19840317', 'yearMonth')).toBe('198403');
    expect(applyKeyTransform('19840317', 'monthDay')).toBe('0317');
    for (const bad of ['1984-03-17', '1984031', '198403170', 'abcdefgh']) {
      expect(applyKeyTransform(bad, 'year')).toBe('');
      expect(applyKeyTransform(bad, 'yearMonth')).toBe('');
      expect(applyKeyTransform(bad, 'monthDay')).toBe('');
    }
  });

  it('prefix:N and suffix:N keep the first / last N characters', () => {
    expect(applyKeyTransform('sw1a1aa', 'prefix:3')).toBe('sw1');
    expect(applyKeyTransform('sw1a1aa', 'suffix:3')).toBe('1aa');
    expect(applyKeyTransform('ab', 'prefix:3')).toBe('ab');
    expect(applyKeyTransform('ab', 'suffix:3')).toBe('ab');
    // astral characters stay whole
    expect(applyKeyTransform('😀ab', 'prefix:1')).toBe('😀');
    expect(applyKeyTransform('ab😀', 'suffix:1')).toBe('😀');
  });

  it('missing values never have a key', () => {
    expect(applyKeyTransform('', 'exact')).toBe('');
    expect(applyKeyTransform('', 'prefix:2')).toBe('');
  });

  it('recognises exactly the KeyTransform forms', () => {
    for (const t of ['exact', 'doubleMetaphone', 'soundex', 'firstToken', 'lastToken', 'sortedTokens', 'year', 'yearMonth', 'monthDay', 'prefix:1', 'suffix:12']) {
      expect(isKeyTransform(t)).toBe(true);
    }
    for (const t of ['prefix:0', 'prefix:', 'prefix:x', 'suffix:-1', 'prefix:1.5', 'metaphone', 'Exact', 'toString', '']) {
      expect(isKeyTransform(t)).toBe(false);
    }
  });
});

describe('key derivation', () => {
  it('derives keys once per distinct dictionary value, numbered in key order', () => {
    const derived = deriveDictionaryKeys(['', 'smyth', 'jones', 'smith', '???'], 'doubleMetaphone');
    expect(derived.keys).toEqual(['', 'JNS', 'SM0']);
    expect(Array.from(derived.keyOfValue)).toEqual([0, 2, 1, 2, 0]);
  });

  it('numbers keys in first-seen dictionary order when no ordering is asked for', () => {
    const derived = deriveDictionaryKeys(['', 'smyth', 'jones', 'smith', '???'], 'doubleMetaphone', false);
    expect(derived.keys).toEqual(['', 'SM0', 'JNS']);
    expect(Array.from(derived.keyOfValue)).toEqual([0, 1, 2, 1, 0]);
  });

  it('maps records to derived key ids, 0 when the value is missing or yields no key', () => {
    const table = buildTable([
      { dob: '19840317' },
      { dob: '19841201' },
      { dob: undefined },
      { dob: 'unknown' },
      { dob: '19790101' },
    ]);
    const keys = deriveRecordKeys(table, [{ column: 'dob', transform: 'year' }]);
    expect(keys.count).toBe(2);
    expect(Array.from(keys.ids)).toEqual([2, 2, 0, 0, 1]);
  });

  it('combines parts so that equal ids mean every part equal, and a missing part means no key', () => {
    const table = buildTable([
      { family: 'smith', dob: '19840317' },
      { family: 'smyth', dob: '19840101' },
      { family: 'smith', dob: '19850317' },
      { family: 'jones', dob: '19840317' },
      { family: undefined, dob: '19840317' },
      { family: 'smith', dob: '' },
    ]);
    const keys = deriveRecordKeys(table, [
      { column: 'family', transform: 'doubleMetaphone' },
      { column: 'dob', transform: 'year' },
    ]);
    const ids = Array.from(keys.ids);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).not.toBe(ids[2]);
    expect(ids[0]).not.toBe(ids[3]);
    expect(ids[4]).toBe(0);
    expect(ids[5]).toBe(0);
    expect(keys.count).toBe(3);
    // ids follow the order of the key parts: (JNS,1984) < (SM0,1984) < (SM0,1985)
    expect([ids[3], ids[0], ids[2]]).toEqual([1, 2, 3]);
  });
});
