import { doubleMetaphone } from 'double-metaphone';
import soundex from 'talisman/phonetics/soundex.js';
import { isAsciiAlphanumeric, isAsciiDigits } from './ascii.js';
import type { KeyTransform } from './types.js';

/** A parsed KeyTransform: a function from one normalized value to its key ('' = no key). */
export type KeyFunction = (value: string) => string;

const WHITESPACE = /\s+/;
const SURROGATE = /[\uD800-\uDFFF]/;

function tokens(value: string): string[] {
  if (isAsciiAlphanumeric(value)) return value === '' ? [] : [value];
  const parts = value.split(WHITESPACE);
  // split leaves '' at the ends when the value has leading/trailing space
  return parts.filter((t) => t.length > 0);
}

function firstToken(value: string): string {
  return tokens(value)[0] ?? '';
}

function lastToken(value: string): string {
  const t = tokens(value);
  return t.length === 0 ? '' : t[t.length - 1];
}

function sortedTokens(value: string): string {
  return tokens(value).sort().join(' ');
}

function primaryMetaphone(value: string): string {
  const token = firstToken(value);
  return token === '' ? '' : doubleMetaphone(token)[0];
}

function soundexKey(value: string): string {
  const code = soundex(value);
  // Soundex always starts with a letter; '0000' means the value had no letters at all.
  return code === '0000' ? '' : code;
}

function dateSlice(start: number, end: number): KeyFunction {
  return (value) => (value.length === 8 && isAsciiDigits(value) ? value.slice(start, end) : '');
}

// Slicing by code point keeps astral characters whole; the fast path covers the usual BMP text.
function prefix(n: number): KeyFunction {
  return (value) => (!isAsciiAlphanumeric(value) && SURROGATE.test(value) ? Array.from(value).slice(0, n).join('') : value.slice(0, n));
}

function suffix(n: number): KeyFunction {
  return (value) => {
    if (!isAsciiAlphanumeric(value) && SURROGATE.test(value)) {
      const chars = Array.from(value);
      return chars.slice(Math.max(0, chars.length - n)).join('');
    }
    return value.slice(Math.max(0, value.length - n));
  };
}

const FIXED: Readonly<Record<string, KeyFunction>> = {
  exact: (value) => value,
  doubleMetaphone: primaryMetaphone,
  soundex: soundexKey,
  firstToken,
  lastToken,
  sortedTokens,
  year: dateSlice(0, 4),
  yearMonth: dateSlice(0, 6),
  monthDay: dateSlice(4, 8),
};

const LENGTH_TRANSFORM = /^(prefix|suffix):([1-9]\d*)$/;

/**
 * The key function of a transform, or undefined when the transform is not one
 * of the KeyTransform forms (e.g. `prefix:0`, `prefix:x`, `soundx`).
 */
export function keyFunction(transform: KeyTransform | string): KeyFunction | undefined {
  if (Object.hasOwn(FIXED, transform)) return FIXED[transform];
  const m = LENGTH_TRANSFORM.exec(transform);
  if (m === null) return undefined;
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n)) return undefined;
  return m[1] === 'prefix' ? prefix(n) : suffix(n);
}

/** Whether `transform` is a valid KeyTransform. */
export function isKeyTransform(transform: string): transform is KeyTransform {
  return keyFunction(transform) !== undefined;
}

/**
 * The blocking key of one normalized value under a transform ('' = no key:
 * the record never blocks on it). Throws on an invalid transform.
 */
export function applyKeyTransform(value: string, transform: KeyTransform = 'exact'): string {
  const fn = keyFunction(transform);
  if (fn === undefined) throw new RangeError(`Unknown key transform '${transform}'`);
  return value === '' ? '' : fn(value);
}
