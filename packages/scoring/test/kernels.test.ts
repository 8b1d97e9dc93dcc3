import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { compileVectorizer, type LevelTest } from '../src/index.js';
import { encodeTable } from './encode-table.js';
import {
  damerauLevenshtein,
  damerauLevenshteinWithin,
  dayNumber,
  daysBetween,
  doubleMetaphoneCodes,
  isDayMonthTransposed,
  isOneCharacterOff,
  isYearOffByOne,
  characterMask,
  jaro,
  maxJaroMatches,
  jaroWinkler,
  jaroWinklerAtLeast,
  JARO_SCAN_MAX_LENGTH,
  levenshtein,
  levenshteinWithin,
  sharesDoubleMetaphone,
  tokenJaccard,
  tokenMask,
  tokenOverlap,
  tokenSet,
} from '../src/index.js';

describe('Jaro-Winkler', () => {
  it('is 1 for equal names and high for a dropped letter', () => {
    expect(jaroWinkler('john', 'john')).toBe(1);
    expect(jaroWinkler('jon', 'john')).toBeGreaterThanOrEqual(0.92);
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
  });
  it('is low for unrelated names and symmetric', () => {
    expect(jaroWinkler('john', 'mary')).toBeLessThan(0.6);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(jaroWinkler('duane', 'dwayne'), 12);
  });
});

describe('own Jaro-Winkler kernel', () => {
  const talismanJaroWinkler = createRequire(import.meta.url)('talisman/metrics/jaro-winkler') as (a: string, b: string) => number;
  const rng = xoroshiro128plus(20240601);
  const word = (): string => {
    const letters = 'aeinorstlmb ';
    let w = '';
    for (let n = unsafeUniformIntDistribution(0, 14, rng); n > 0; n--) w += letters[unsafeUniformIntDistribution(0, letters.length - 1, rng)];
    return w;
  };
  const pairs = Array.from({ length: 3000 }, () => [word(), word()] as const);

  it('agrees with talisman/metrics/jaro-winkler and is symmetric', () => {
    for (const [a, b] of pairs) {
      expect(jaroWinkler(a, b)).toBeCloseTo(jaroWinkler(b, a), 12);
      // talisman breaks equal-length ties by argument order; one of its two answers is ours.
      const ours = jaroWinkler(a, b);
      const theirs = [talismanJaroWinkler(a, b), talismanJaroWinkler(b, a)];
      expect(theirs.some((t) => Math.abs(t - ours) < 1e-12)).toBe(true);
    }
  });

  it('jaroWinklerAtLeast answers exactly "jaroWinkler >= threshold"', () => {
    for (const threshold of [0.7, 0.8, 0.9, 0.92]) {
      for (const [a, b] of pairs) expect(jaroWinklerAtLeast(a, b, threshold)).toBe(jaroWinkler(a, b) >= threshold);
    }
  });

  it('maxJaroMatches never falls below the true number of matches, so the bounded test answers the same', () => {
    for (const [a, b] of pairs) {
      const bound = maxJaroMatches(a.length, characterMask(a), b.length, characterMask(b));
      // Jaro = (m/|a| + m/|b| + (m - t)/m) / 3 with t = 0 is the most m can give.
      const m = bound <= 0 ? 0 : bound;
      if (a !== b && a.length > 0 && b.length > 0) expect(jaro(a, b)).toBeLessThanOrEqual((m / a.length + m / b.length + (m > 0 ? 1 : 0)) / 3 + 1e-12);
      for (const threshold of [0.8, 0.92]) {
        expect(jaroWinklerAtLeast(a, b, threshold, bound)).toBe(jaroWinkler(a, b) >= threshold);
      }
    }
    expect(maxJaroMatches(5, characterMask('smith'), 5, characterMask('jones'))).toBeLessThanOrEqual(1);
  });
});

describe('Jaro-Winkler on long values', () => {
  // Past JARO_SCAN_MAX_LENGTH the matches are found through per-character
  // position lists instead of scanning the window; talisman scans it, so it is
  // the reference, and the scores must be the same to the last bit.
  const talismanJaroWinkler = createRequire(import.meta.url)('talisman/metrics/jaro-winkler') as (a: string, b: string) => number;
  const rng = xoroshiro128plus(20261130);
  const pick = (n: number) => unsafeUniformIntDistribution(0, n - 1, rng);
  // A small alphabet (and a non-ASCII letter) so that long values match a lot and
  // characters repeat within the window, where a wrong cursor would show.
  const letters = 'aeinorst éß';
  const value = (length: number) => Array.from({ length }, () => letters[pick(letters.length)]).join('');
  const edited = (s: string) => {
    const chars = [...s];
    for (let k = 1 + pick(8); k > 0; k--) {
      const at = pick(chars.length);
      const edit = pick(3);
      if (edit === 0) chars[at] = letters[pick(letters.length)];
      else if (edit === 1) chars.splice(at, 1);
      else [chars[at], chars[(at + 3) % chars.length]] = [chars[(at + 3) % chars.length], chars[at]];
    }
    return chars.join('');
  };
  const pairs: (readonly [string, string])[] = [];
  for (const length of [JARO_SCAN_MAX_LENGTH - 2, JARO_SCAN_MAX_LENGTH + 1, 90, 200, 600]) {
    for (let n = 0; n < 40; n++) {
      const a = value(length);
      pairs.push([a, edited(a)], [a, value(length + pick(40))], [a.slice(0, 10 + pick(length)), a]);
    }
  }

  it('agrees with talisman/metrics/jaro-winkler and is symmetric', () => {
    expect(pairs.some(([a, b]) => Math.max(a.length, b.length) > JARO_SCAN_MAX_LENGTH)).toBe(true);
    for (const [a, b] of pairs) {
      const ours = jaroWinkler(a, b);
      expect(jaroWinkler(b, a)).toBe(ours);
      const theirs = [talismanJaroWinkler(a, b), talismanJaroWinkler(b, a)];
      expect(theirs.some((t) => Math.abs(t - ours) < 1e-12)).toBe(true);
    }
  });

  it('jaroWinklerAtLeast answers exactly "jaroWinkler >= threshold", with and without a match bound', () => {
    for (const threshold of [0.7, 0.8, 0.9, 0.92]) {
      for (const [a, b] of pairs) {
        const expected = jaroWinkler(a, b) >= threshold;
        expect(jaroWinklerAtLeast(a, b, threshold)).toBe(expected);
        expect(jaroWinklerAtLeast(a, b, threshold, maxJaroMatches(a.length, characterMask(a), b.length, characterMask(b)))).toBe(expected);
      }
    }
  });

  it('costs time linear in the length: 20,000 pairs of 1,000-character values in well under a second', () => {
    // Scanning the window took ~1 ms a pair at this length (over 20 s here); now
    // ~0.3 s, and the bound leaves room for a loaded host.
    const a = value(1000);
    const variants = Array.from({ length: 100 }, () => edited(a));
    const started = performance.now();
    let close = 0;
    for (let n = 0; n < 20_000; n++) if (jaroWinklerAtLeast(a, variants[n % 100], 0.92)) close++;
    const seconds = (performance.now() - started) / 1000;
    expect(close).toBe(200 * variants.filter((v) => jaroWinkler(a, v) >= 0.92).length);
    expect(close).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(5);
  });
});

describe('edit distances', () => {
  it('Levenshtein counts a transposition as two edits', () => {
    expect(levenshtein('smith', 'smiht')).toBe(2);
    expect(levenshteinWithin('smith', 'smyth', 1)).toBe(true);
    expect(levenshteinWithin('smith', 'smiht', 1)).toBe(false);
  });
  it('Damerau-Levenshtein (optimal string alignment) counts an adjacent transposition as one', () => {
    expect(damerauLevenshtein('smith', 'smiht')).toBe(1);
    expect(damerauLevenshtein('19870305', '19870350')).toBe(1);
    // OSA edits no substring twice: "ca" -> "abc" is 3 (unrestricted Damerau would say 2).
    expect(damerauLevenshtein('ca', 'abc')).toBe(3);
    expect(damerauLevenshteinWithin('ca', 'abc', 2)).toBe(false);
    expect(damerauLevenshteinWithin('catherine', 'cahterine', 1)).toBe(true);
    expect(damerauLevenshteinWithin('', 'a', 1)).toBe(true);
  });
});

describe('edit distance at most one', () => {
  it('agrees with the full distances on random short strings', () => {
    const rng = xoroshiro128plus(99);
    const word = (): string => {
      let w = '';
      for (let n = unsafeUniformIntDistribution(0, 6, rng); n > 0; n--) w += 'abc'[unsafeUniformIntDistribution(0, 2, rng)];
      return w;
    };
    for (let k = 0; k < 5000; k++) {
      const a = word();
      const b = word();
      expect(levenshteinWithin(a, b, 1)).toBe(levenshtein(a, b) <= 1);
      expect(damerauLevenshteinWithin(a, b, 1)).toBe(damerauLevenshtein(a, b) <= 1);
      expect(damerauLevenshteinWithin(a, b, 2)).toBe(damerauLevenshtein(a, b) <= 2);
    }
  });
});

describe('Double Metaphone', () => {
  it('gives names that sound alike a common code', () => {
    expect(sharesDoubleMetaphone(doubleMetaphoneCodes('catherine'), doubleMetaphoneCodes('kathryn'))).toBe(true);
    expect(sharesDoubleMetaphone(doubleMetaphoneCodes('smith'), doubleMetaphoneCodes('schmidt'))).toBe(true);
    expect(sharesDoubleMetaphone(doubleMetaphoneCodes('smith'), doubleMetaphoneCodes('jones'))).toBe(false);
  });
});

describe('token Jaccard', () => {
  it('is shared tokens over all distinct tokens', () => {
    expect(tokenJaccard(tokenSet('12 high street'), tokenSet('high street'))).toBeCloseTo(2 / 3, 12);
    expect(tokenJaccard(tokenSet('a  b'), tokenSet('b a'))).toBe(1);
    expect(tokenJaccard(tokenSet(''), tokenSet(''))).toBe(0);
  });
  it('token masks meet whenever two values share a token, so a disjoint pair is safely 0', () => {
    const rng = xoroshiro128plus(5);
    const words = ['high', 'street', 'st', 'rd', 'road', '12', 'flat', 'a', 'unit', 'north', 'crescent', 'b'];
    const value = () => Array.from({ length: unsafeUniformIntDistribution(0, 4, rng) }, () => words[unsafeUniformIntDistribution(0, words.length - 1, rng)]).join(' ');
    let disjoint = 0;
    for (let k = 0; k < 2000; k++) {
      const a = value();
      const b = value();
      if (tokenJaccard(tokenSet(a), tokenSet(b)) > 0) expect(tokenMask(a) & tokenMask(b)).not.toBe(0);
      if ((tokenMask(a) & tokenMask(b)) === 0) disjoint++;
    }
    expect(disjoint).toBeGreaterThan(0);
    expect(tokenMask('  ')).toBe(0);
  });
  it('tokenOverlap on two strings is the Jaccard similarity of their token sets, repeated tokens and runs of spaces included', () => {
    const rng = xoroshiro128plus(9);
    const words = ['high', 'street', 'st', 'rd', '12', '1', 'flat', 'a', 'aa', 'b', ''];
    const value = (most: number) =>
      Array.from({ length: unsafeUniformIntDistribution(0, most, rng) }, () => words[unsafeUniformIntDistribution(0, words.length - 1, rng)]).join(' ');
    for (let k = 0; k < 3000; k++) {
      const a = value(6);
      const b = value(6);
      expect(tokenOverlap(a, b)).toBe(tokenJaccard(tokenSet(a), tokenSet(b)));
      expect(tokenOverlap(b, a)).toBe(tokenOverlap(a, b));
    }
    expect(tokenOverlap('12 high street', 'high street')).toBeCloseTo(2 / 3, 12);
    expect(tokenOverlap('', '  ')).toBe(0);
  });
  it('tokenOverlap gives the same answer past the tokens it pairs up directly', () => {
    const many = Array.from({ length: 200 }, (_, i) => `t${i}`);
    const a = many.join(' ');
    const b = many.slice(100).concat(['x', 'y']).join(' ');
    expect(tokenOverlap(a, b)).toBe(tokenJaccard(tokenSet(a), tokenSet(b)));
    expect(tokenOverlap(a, b)).toBeCloseTo(100 / 202, 12);
  });
});

describe('date helpers on YYYYMMDD', () => {
  it('counts days between calendar dates and rejects impossible ones', () => {
    expect(daysBetween('19870305', '19870405')).toBe(31);
    expect(daysBetween('20001231', '20010101')).toBe(1);
    expect(dayNumber('19700101')).toBe(0);
    expect(dayNumber('19870231')).toBeNaN();
    expect(dayNumber('0087xx01')).toBeNaN();
    expect(dayNumber('00870101')).not.toBeNaN();
    expect(dayNumber('1987030')).toBeNaN();
    expect(dayNumber('198703051')).toBeNaN();
    expect(dayNumber('19871305')).toBeNaN();
    expect(dayNumber('19870300')).toBeNaN();
  });
  it('counts days as JavaScript dates do, leap days and years 0-99 included', () => {
    const MS_PER_DAY = 86_400_000;
    const date = new Date(0);
    for (const year of [0, 4, 99, 100, 400, 1582, 1600, 1899, 1900, 1969, 1970, 1999, 2000, 2004, 2100, 2400, 9999]) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [1, 15, 28, 29, 30, 31]) {
          date.setTime(0);
          date.setUTCFullYear(year, month - 1, day);
          const exists = date.getUTCMonth() === month - 1;
          const text = `${String(year).padStart(4, '0')}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
          if (exists) expect(dayNumber(text)).toBe(Math.round(date.getTime() / MS_PER_DAY));
          else expect(dayNumber(text)).toBeNaN();
        }
      }
    }
  });
  it('recognises day and month transposed within the same year', () => {
    expect(isDayMonthTransposed('19870305', '19870503')).toBe(true);
    expect(isDayMonthTransposed('19870305', '19880503')).toBe(false);
    expect(isDayMonthTransposed('19870303', '19870303')).toBe(false);
  });
  it('recognises a year off by one on the same day', () => {
    expect(isYearOffByOne('19870305', '19880305')).toBe(true);
    expect(isYearOffByOne('19890305', '19900305')).toBe(true);
    expect(isYearOffByOne('19870305', '19890305')).toBe(false);
    expect(isYearOffByOne('19870305', '19880306')).toBe(false);
  });
  it('recognises exactly one character off', () => {
    expect(isOneCharacterOff('19870305', '19870306')).toBe(true);
    expect(isOneCharacterOff('19870305', '19870305')).toBe(false);
    expect(isOneCharacterOff('19870305', '19870350')).toBe(false);
    expect(isOneCharacterOff('1987030', '19870305')).toBe(false);
  });
});

describe('date levels on parsed dates agree with the string helpers', () => {
  it('on random nearby dates', () => {
    const rng = xoroshiro128plus(7);
    const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
    const pad = (n: number): string => String(n).padStart(2, '0');
    const dates = Array.from({ length: 400 }, () => `${int(1985, 1988)}${pad(int(1, 12))}${pad(int(1, 12))}`);
    dates.push('19870231', '1987031', 'abcdefgh');
    const rows = dates.map((d) => ({ d }));
    const table = encodeTable(rows);
    const level = (test: LevelTest) =>
      compileVectorizer(table, [{ name: 'd', column: 'd', levels: [{ label: 'missing', test: { type: 'null' } }, { label: 't', test }, { label: 'else', test: { type: 'else' } }] }]);
    const transposed = level({ type: 'dateTransposed' });
    const yearOff = level({ type: 'dateYearOffByOne' });
    const within = level({ type: 'dateWithinDays', days: 30 });
    const out = new Uint8Array(3);
    let hits = 0;
    for (let i = 0; i < dates.length; i++) {
      for (let j = 0; j < dates.length; j++) {
        transposed.vectorize(i, j, out, 0);
        yearOff.vectorize(i, j, out, 1);
        within.vectorize(i, j, out, 2);
        expect(out[0] === 1).toBe(isDayMonthTransposed(dates[i], dates[j]));
        expect(out[1] === 1).toBe(isYearOffByOne(dates[i], dates[j]));
        expect(out[2] === 1).toBe(dates[i] === dates[j] || daysBetween(dates[i], dates[j]) <= 30);
        hits += out[0] === 1 || out[1] === 1 ? 1 : 0;
      }
    }
    expect(hits).toBeGreaterThan(10);
  });
});
