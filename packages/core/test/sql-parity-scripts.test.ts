// The SQL engine against the in-process engine on names in non-Latin scripts
// with typos of one character: DuckDB's edit distances and Jaro-Winkler count
// bytes of UTF-8, our kernels characters. With the same model both engines
// must give every pair the same levels (so the same match weight) and every
// record the same group.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseModel, serializeModel } from '@mpi/scoring';
import { link, type Settings } from '../src/index.js';
import { linkInDuckDb } from '../src/advanced.js';

/** Given and family names per script, as people write them (normalization lower-cases, strips accents, decomposes Hangul). */
const SCRIPTS: { given: string[]; family: string[] }[] = [
  { given: ['Δημήτρης', 'Ελένη', 'Γιώργος', 'Μαρία', 'Νίκος'], family: ['Παπαδόπουλος', 'Γεωργίου', 'Νικολάου', 'Οικονόμου'] },
  { given: ['Александр', 'Наталья', 'Сергей', 'Ольга', 'Дмитрий'], family: ['Иванов', 'Смирнова', 'Кузнецов', 'Попова'] },
  { given: ['太郎', '花子', '健一', '美咲', '大輔'], family: ['佐藤', '鈴木', '高橋', '田中'] },
  { given: ['小明', '建国', '秀英', '志强', '丽娟'], family: ['王', '李', '张', '刘'] },
  { given: ['민준', '서연', '지호', '하은', '도윤'], family: ['김', '이', '박', '최'] },
  { given: ['Søren', 'Jürgen', 'Łukasz', 'Zoë', 'François'], family: ['Østergård', 'Müller', 'Wąsowski', 'Ñúñez'] },
];

/** A small deterministic generator (the data must be the same on every run). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `name` with one character substituted (by another of the same script's names), deleted, inserted or swapped with the next. */
function typo(name: string, alphabet: readonly string[], next: () => number): string {
  const chars = [...name];
  const at = Math.floor(next() * chars.length);
  const other = alphabet[Math.floor(next() * alphabet.length)];
  switch (Math.floor(next() * 4)) {
    case 0:
      chars[at] = other;
      break;
    case 1:
      if (chars.length > 1) chars.splice(at, 1);
      break;
    case 2:
      chars.splice(at, 0, other);
      break;
    default:
      if (at + 1 < chars.length) [chars[at], chars[at + 1]] = [chars[at + 1], chars[at]];
  }
  return chars.join('');
}

const dir = mkdtempSync(join(tmpdir(), 'mpi-sql-parity-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 300 people, 2 or 3 records each; every record after the first has a typo of one character in its given or family name. */
function writePeople(): string {
  const next = random(22);
  const lines = ['id,given_name,family_name,birth_date,sex,postcode'];
  for (let person = 0; person < 300; person++) {
    const script = SCRIPTS[person % SCRIPTS.length];
    const alphabet = [...new Set([...script.given, ...script.family].flatMap((name) => [...name]))];
    const given = script.given[Math.floor(next() * script.given.length)];
    const family = script.family[Math.floor(next() * script.family.length)];
    // Few birth dates and postcodes: many people share a block, so pairs of different people are compared too.
    const born = `19${50 + Math.floor(next() * 10)}-0${1 + Math.floor(next() * 3)}-1${Math.floor(next() * 3)}`;
    const sex = next() < 0.5 ? 'F' : 'M';
    const postcode = String(1000 + Math.floor(next() * 20));
    const records = 2 + Math.floor(next() * 2);
    for (let r = 0; r < records; r++) {
      const mistyped = r > 0 && next() < 0.5;
      lines.push([`p${person}-${r}`, r > 0 && !mistyped ? typo(given, alphabet, next) : given, mistyped ? typo(family, alphabet, next) : family, born, sex, postcode].join(','));
    }
  }
  const path = join(dir, 'people.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const settings: Settings = {
  recordId: 'id',
  mode: 'dedupe',
  fields: { given_name: 'given_name', family_name: 'family_name', birth_date: { kind: 'birth_date', format: 'YYYY-MM-DD' }, sex: 'sex', postcode: 'postcode' },
  blockingRules: [
    { kind: 'key', keys: [{ column: 'birth_date' }] },
    { kind: 'key', keys: [{ column: 'postcode' }, { column: 'sex' }] },
  ],
};

describe('DuckDB and the in-process engine on names in Greek, Cyrillic, CJK and Hangul with typos of one character', () => {
  it('give every candidate pair the same match weight and every record the same group and id', async () => {
    const sources = [{ name: 'people', path: writePeople() }];
    const inProcess = await link({ settings, sources, threads: 1 });
    const model = parseModel(serializeModel(inProcess.model));
    const streamed: { left: number[]; right: number[]; weight: number[] } = { left: [], right: [], weight: [] };
    const sql = await linkInDuckDb({
      settings,
      sources,
      model,
      duckdb: { threads: 1 },
      withScoredPairs: async (pairs) => {
        for await (const batch of pairs(-Infinity)) {
          streamed.left.push(...batch.left);
          streamed.right.push(...batch.right);
          streamed.weight.push(...batch.weight);
        }
      },
    });
    const weightOf = new Map<string, number>();
    inProcess.pairs.chunks.forEach((chunk, c) => chunk.left.forEach((l, k) => weightOf.set(`${l},${chunk.right[k]}`, inProcess.weights[c][k])));
    expect(streamed.left.length).toBe(inProcess.pairs.count);
    const differing = streamed.left.flatMap((l, k) => {
      const expected = weightOf.get(`${l},${streamed.right[k]}`);
      return expected !== undefined && Math.abs(streamed.weight[k] - expected) < 1e-9 ? [] : [`${l},${streamed.right[k]}: ${streamed.weight[k]} against ${expected}`];
    });
    expect(differing.slice(0, 10)).toEqual([]);
    expect(Array.from(sql.clustering.groupOf)).toEqual(Array.from(inProcess.clustering.groupOf));
    expect(sql.identityIds).toEqual(inProcess.identityIds);
    // The typos are linked: fewer groups than records (so the levels that differ by bytes decide links).
    expect(inProcess.clustering.groupCount).toBeLessThan(inProcess.table.size * 0.6);
  });
});
