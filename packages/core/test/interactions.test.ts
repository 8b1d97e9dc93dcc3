import { beforeAll, describe, expect, it } from 'vitest';
import { link, type LinkResult, type PlainRecord } from '../src/index.js';

const GIVEN = ['ada', 'ben', 'cara', 'dov', 'eli', 'fay', 'gus', 'hana', 'ivo', 'jia', 'kai', 'lea', 'max', 'noa', 'oto', 'pia', 'quin', 'rhea', 'sol', 'tia'];
const FAMILY = ['abara', 'bolton', 'castell', 'dunmore', 'esterly', 'farrow', 'galindo', 'hartwell', 'ingram', 'jaskolski', 'kowal', 'lindqvist', 'moreau', 'nakamura', 'okafor', 'petrov'];

/** A seeded generator (LCG) so the population is the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * 900 people of given names, family names (of 20 x 100 variants) and birth dates
 * drawn independently, each with two records (one given name typo in five), and
 * 60 pairs of twins among them: a second person with the same family name and
 * birth date and another given name. Different people agree on family name and
 * birth date ~60x as often as independence predicts.
 */
function population(): { records: PlainRecord[]; twins: [string, string][] } {
  const draw = random(7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(draw() * items.length)];
  const people: { given: string; family: string; dob: string }[] = [];
  const twins: [string, string][] = [];
  for (let p = 0; p < 900; p++) {
    const dob = `19${40 + Math.floor(draw() * 60)}-${String(1 + Math.floor(draw() * 12)).padStart(2, '0')}-${String(1 + Math.floor(draw() * 28)).padStart(2, '0')}`;
    people.push({ given: `${pick(GIVEN)}${pick(GIVEN)}`, family: `${pick(FAMILY)}${pick(FAMILY)}${Math.floor(draw() * 100)}`, dob });
    if (p % 15 === 0) {
      const twin = people[p];
      let given = twin.given;
      // A given name unlike the twin's (no common first name part): the two records of a
      // twin pair disagree on it outright, as different people do.
      while (GIVEN.some((name) => given.startsWith(name) && twin.given.startsWith(name)) || given.slice(-3) === twin.given.slice(-3)) given = `${pick(GIVEN)}${pick(GIVEN)}`;
      people.push({ ...twin, given });
      twins.push([`${p}-a`, `${p + 1}-a`]);
      p++;
    }
  }
  const records = people.flatMap((person, p) => {
    const typo = draw() < 0.2 ? `${person.given}e` : person.given;
    return [
      { id: `${p}-a`, given: person.given, family: person.family, dob: person.dob },
      { id: `${p}-b`, given: typo, family: person.family, dob: person.dob },
    ];
  });
  return { records, twins };
}

const settings = { recordId: 'id', fields: { given: 'given_name', family: 'family_name', dob: 'birth_date' } } as const;

describe('interaction term: twins agree on family name and birth date beyond independence', () => {
  let result: LinkResult;
  const { records, twins } = population();

  beforeAll(async () => {
    result = await link({ settings, sources: [{ name: 'ehr', records }], threads: 1 });
  });

  it('estimates a negative term for the joint exact cell of family name and birth date, from the data', () => {
    const term = result.model.interactions?.find((t) => t.comparisons.join() === 'family_name,birth_date');
    expect(term).toBeDefined();
    // ~60 twin pairs where independence predicts a handful.
    expect(term!.nonMatches).toBeGreaterThan(40);
    expect(term!.nonMatches).toBeGreaterThan(5 * term!.predictedNonMatches);
    expect(term!.weight).toBeLessThan(-2);
    expect(result.model.version).toBe(2);
  });

  it('lowers the weight of family name and birth date agreement among different given names, and explain() adds it up', () => {
    for (const [a, b] of twins) {
      const why = result.explain({ source: 'ehr', recordId: a }, { source: 'ehr', recordId: b });
      expect(why.terms.find((t) => t.comparison === 'given_name')!.label).toBe('else');
      expect(why.interactions.map((t) => t.comparisons.join())).toEqual(['family_name,birth_date']);
      const sum = why.priorWeight + why.terms.reduce((total, t) => total + t.weight + t.tfAdjustment + t.groupAdjustment, 0) + why.interactions.reduce((total, t) => total + t.weight, 0);
      expect(why.matchWeight).toBeCloseTo(sum, 9);
    }
  });

  it('keeps twins apart that the same model without the term links, and each person\'s records together', async () => {
    const withoutTerm = await link({ settings, sources: [{ name: 'ehr', records }], threads: 1, model: { ...result.model, interactions: undefined } });
    const linkedTwins = (run: LinkResult) => {
      const groupOf = new Map(run.groups().flatMap((g) => g.records.map((r) => [r.recordId, g.id] as const)));
      for (const [a] of twins) expect(groupOf.get(a)).toBe(groupOf.get(a.replace('-a', '-b')));
      return twins.filter(([a, b]) => groupOf.get(a) === groupOf.get(b)).length;
    };
    const before = linkedTwins(withoutTerm);
    const after = linkedTwins(result);
    // Without the term nearly every twin pair is one identity. With it fewer are: the
    // rest sit near p = 0.5, where EM's m of a given-name disagreement (learnt on
    // sessions that count twins as matches) is what keeps them there.
    expect(before).toBeGreaterThan(twins.length / 2);
    expect(after).toBeLessThan(before);
  });

  it('applies no term where the data shows no excess (given name and family name are drawn independently)', () => {
    expect(result.model.interactions?.some((t) => t.comparisons.includes('given_name'))).toBe(false);
  });

  it('leaves a pair that agrees on the given name too out of the cell: one person, as independence scores it', () => {
    const why = result.explain({ source: 'ehr', recordId: '3-a' }, { source: 'ehr', recordId: '3-b' });
    expect(why.terms.map((t) => t.level > 0 && t.label !== 'else')).toEqual([true, true, true]);
    expect(why.interactions).toEqual([]);
  });

  it('scores a pair exactly as explain() adds it up (the scores link() used)', () => {
    const [a, b] = twins[0];
    const why = result.explain({ source: 'ehr', recordId: a }, { source: 'ehr', recordId: b });
    const [left, right] = [result.rowOf({ source: 'ehr', recordId: a })!, result.rowOf({ source: 'ehr', recordId: b })!].sort((x, y) => x - y);
    let score: number | undefined;
    result.pairs.chunks.forEach((chunk, i) => {
      for (let k = 0; k < chunk.left.length; k++) if (chunk.left[k] === left && chunk.right[k] === right) score = result.weights[i][k];
    });
    expect(score).toBe(why.matchWeight);
  });
});
