import { describe, expect, it } from 'vitest';
import {
  NORMALIZERS,
  NORMALIZER_VERSION,
  isNormalizerName,
  nameSuffix,
  normalizeGivenName,
  splitFullName,
  type NormalizerName,
} from '../src/normalize/index.js';
import { foldLatin, foldUnicode } from '../src/normalize/text.js';

/** Seeded generator (mulberry32) so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABETS = [
  "0123456789/-.:, T'",
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .-\'',
  'éüßøÆİıǅﬁＳ①\u0301\u0308\u200b\u00a0\u2019王Ж',
];

function randomString(next: () => number, length: number): string {
  let s = '';
  const mode = Math.floor(next() * 4);
  for (let i = 0; i < length; i++) {
    if (mode === 3) {
      // Any UTF-16 code unit, lone surrogates included.
      s += String.fromCharCode(Math.floor(next() * 0x10000));
    } else {
      const alphabet = ALPHABETS[mode];
      s += alphabet[Math.floor(next() * alphabet.length)];
    }
  }
  return s;
}

const OPTIONS: Partial<Record<NormalizerName, string[]>> = {
  date: ['', 'DD/MM/YYYY', 'YYYYMMDD', 'D MMM YYYY'],
  phone: ['', 'US', 'AU'],
  identifier: ['', 'luhn', 'nhs-mod11'],
};

const names = Object.keys(NORMALIZERS).filter(isNormalizerName);

function checkAll(raw: string): void {
  for (const name of names) {
    for (const option of OPTIONS[name] ?? ['']) {
      const result = NORMALIZERS[name](raw, option);
      expect(typeof result.value).toBe('string');
      // A date that fails validation keeps its digits as evidence; other kinds keep nothing.
      if ('invalid' in result && name === 'date' && result.value !== '') expect(result.value).toMatch(/^\d{8}$/);
      else if ('invalid' in result && name !== 'identifier') expect(result.value).toBe('');
    }
  }
  nameSuffix(raw);
  const split = splitFullName(raw);
  expect(typeof split.family).toBe('string');
}

describe('every normaliser on hostile input', () => {
  it('never throws on random short strings of any script, marks or lone surrogates', () => {
    const next = prng(20240601);
    for (let i = 0; i < 3000; i++) checkAll(randomString(next, Math.floor(next() * 40)));
  });

  it('never throws on 100 kB strings', () => {
    const next = prng(7);
    for (let i = 0; i < 4; i++) checkAll(randomString(next, 100_000));
    checkAll('9'.repeat(100_000));
    checkAll('1980-07-03 '.repeat(10_000));
    checkAll(' '.repeat(100_000));
  });

  it('tolerates non-string cells from object sources', () => {
    for (const cell of [null, undefined, 4155552671, 19800703n, true, {}]) {
      for (const name of names) expect(() => NORMALIZERS[name](cell as unknown as string)).not.toThrow();
    }
    expect(NORMALIZERS.date(19800703 as unknown as string)).toEqual({ value: '19800703' });
  });

  it('is idempotent for the text-like normalisers: a canonical value stays canonical', () => {
    const next = prng(99);
    const cases = Number(process.env.FUZZ_CASES ?? 3000);
    const textLike: NormalizerName[] = ['text', 'givenName', 'middleName', 'familyName', 'streetNumber', 'city', 'state', 'postcode', 'identifier', 'email'];
    for (let i = 0; i < cases; i++) {
      const raw = randomString(next, Math.floor(next() * 30));
      for (const name of textLike) {
        const once = NORMALIZERS[name](raw).value;
        expect(NORMALIZERS[name](once).value, `${name} (case ${i})`).toBe(once);
      }
    }
  });
});

describe('Latin fast path', () => {
  it('folds exactly as the general Unicode pipeline', () => {
    const next = prng(11);
    for (let i = 0; i < Number(process.env.FUZZ_CASES ?? 20_000); i++) {
      let raw = '';
      const length = Math.floor(next() * 16);
      for (let k = 0; k < length; k++) {
        const r = next();
        // Mostly Latin-1 and Latin Extended-A/B, with combining marks and ASCII punctuation.
        const code = r < 0.6 ? 0x20 + Math.floor(next() * 0x230) : r < 0.8 ? 0x300 + Math.floor(next() * 0x70) : 0x20 + Math.floor(next() * 0x60);
        raw += String.fromCharCode(code);
      }
      for (const drop of [false, true]) expect(foldLatin(raw, drop), `case ${i}`).toBe(foldUnicode(raw, drop));
    }
  });
});

describe('normaliser registry', () => {
  it('exposes every normaliser by settings name and a version', () => {
    expect(NORMALIZER_VERSION).toBe(3);
    expect(NORMALIZERS.date('03/07/1980', 'DD/MM/YYYY')).toEqual({ value: '19800703' });
    expect(NORMALIZERS.phone('0412 345 678', 'AU')).toEqual({ value: '+61412345678' });
    expect(NORMALIZERS.identifier('79927398710', 'luhn')).toEqual({ value: '79927398710', invalid: 'bad-check-digit' });
    expect(NORMALIZERS.identifier('79927398710')).toEqual({ value: '79927398710' });
    expect(isNormalizerName('givenName')).toBe(true);
    expect(isNormalizerName('toString')).toBe(false);
  });
});

describe('read-path speed', () => {
  it('normalises 1M short names well within a few seconds', () => {
    // A realistic mix: mostly plain ASCII in various cases, some punctuation, titles, suffixes and diacritics.
    const pool = ['John', 'MARY', "O'Brien", 'Smith-Jones', 'José', 'Dr. Ann', 'li', 'Nguyen', 'Robert Jr', 'Zoë'];
    const inputs = Array.from({ length: 1_000_000 }, (_, i) => pool[i % pool.length] + (i % 2 === 0 ? '' : String.fromCharCode(97 + (i % 26))));
    const start = performance.now();
    let chars = 0;
    for (let i = 0; i < inputs.length; i++) chars += normalizeGivenName(inputs[i]).value.length;
    const ms = performance.now() - start;
    console.log(`1M given-name normalisations in ${ms.toFixed(0)} ms`);
    expect(chars).toBeGreaterThan(0);
    // Generous bound for shared CI machines; plain node measures about 0.5 s.
    expect(ms).toBeLessThan(3000);
  });
});
