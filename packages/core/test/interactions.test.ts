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
 * 2,000 people of given, middle and family names, birth dates and sexes drawn
 * independently, each with two records (one given name typo in five, one middle
 * name missing in four), and 50 pairs of twins among them (2.5%): a second
 * person with the same family name and birth date and another given and middle
 * name. Different people agree on family name and birth date far more often
 * than independence predicts.
 */
function population(): { records: PlainRecord[]; twins: [string, string][] } {
  const draw = random(7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(draw() * items.length)];
  const name = () => `${pick(GIVEN)}${pick(GIVEN)}`;
  const people: { given: string; middle: string; family: string; dob: string; sex: string }[] = [];
  const twins: [string, string][] = [];
  for (let p = 0; p < 2000; p++) {
    const dob = `19${40 + Math.floor(draw() * 60)}-${String(1 + Math.floor(draw() * 12)).padStart(2, '0')}-${String(1 + Math.floor(draw() * 28)).padStart(2, '0')}`;
    people.push({ given: name(), middle: name(), family: `${pick(FAMILY)}${pick(FAMILY)}${Math.floor(draw() * 100)}`, dob, sex: pick(['F', 'M']) });
    if (p % 40 === 0) {
      const twin = people[p];
      let given = name();
      // A given name unlike the twin's (no common name part): the records of a twin pair disagree on it outright, as different people do.
      while (GIVEN.some((part) => (given.startsWith(part) && twin.given.startsWith(part)) || (given.endsWith(part) && twin.given.endsWith(part)))) given = name();
      people.push({ ...twin, given, middle: name(), sex: pick(['F', 'M']) });
      twins.push([`${p}-a`, `${p + 1}-a`]);
      p++;
    }
  }
  const records = people.flatMap((person, p) => {
    const typo = draw() < 0.2 ? `${person.given}e` : person.given;
    const middle = draw() < 0.25 ? '' : person.middle;
    return [
      { id: `${p}-a`, given: person.given, middle: person.middle, family: person.family, dob: person.dob, sex: person.sex },
      { id: `${p}-b`, given: typo, middle, family: person.family, dob: person.dob, sex: person.sex },
    ];
  });
  return { records, twins };
}

const settings = { recordId: 'id', fields: { given: 'given_name', middle: 'middle_name', family: 'family_name', dob: 'birth_date', sex: 'sex' } } as const;

describe('interaction term: twins agree on family name and birth date beyond independence', () => {
  let result: LinkResult;
  const { records, twins } = population();

  beforeAll(async () => {
    result = await link({ settings, sources: [{ name: 'ehr', records }], threads: 1 });
  });

  it('estimates a negative term for the joint exact cell of family name and birth date, from the data', () => {
    const term = result.model.interactions?.find((t) => t.comparisons.join() === 'family_name,birth_date');
    expect(term).toBeDefined();
    // 50 twin pairs where independence predicts a handful.
    expect(term!.nonMatches).toBeGreaterThan(25);
    expect(term!.nonMatches).toBeGreaterThan(5 * term!.predictedNonMatches);
    expect(term!.weight).toBeLessThan(-2);
    expect(result.model.version).toBe(2);
  });

  it('lowers the weight of family name and birth date agreement among different given names, and explain() adds it up', () => {
    for (const [a, b] of twins) {
      const why = result.explain({ source: 'ehr', recordId: a }, { source: 'ehr', recordId: b });
      expect(why.terms.find((t) => t.comparison === 'given_name')!.label).toBe('else');
      expect(why.interactions.map((t) => t.comparisons.join())).toContain('family_name,birth_date');
      const sum = why.priorWeight + why.terms.reduce((total, t) => total + t.weight + t.tfAdjustment + t.groupAdjustment, 0) + why.interactions.reduce((total, t) => total + t.weight, 0);
      expect(why.matchWeight).toBeCloseTo(sum, 9);
    }
  });

  it('scores twins lower than the same model without the term, and keeps each person\'s records together', async () => {
    const withoutTerm = await link({ settings, sources: [{ name: 'ehr', records }], threads: 1, model: { ...result.model, interactions: undefined } });
    for (const [a, b] of twins) {
      const refs = [{ source: 'ehr', recordId: a }, { source: 'ehr', recordId: b }] as const;
      expect(result.explain(...refs).matchWeight).toBeLessThan(withoutTerm.explain(...refs).matchWeight - 2);
    }
    const linkedTwins = (run: LinkResult) => {
      const groupOf = new Map(run.groups().flatMap((g) => g.records.map((r) => [r.recordId, g.id] as const)));
      for (const [a] of twins) expect(groupOf.get(a)).toBe(groupOf.get(a.replace('-a', '-b')));
      return twins.filter(([a, b]) => groupOf.get(a) === groupOf.get(b)).length;
    };
    // Seen when written: 3 of the 50 twin pairs in one identity without the term, 1 with it.
    expect(linkedTwins(result)).toBeLessThan(linkedTwins(withoutTerm));
  });

  it('applies no term where the data shows no excess (given name and family name are drawn independently)', () => {
    expect(result.model.interactions?.some((t) => t.comparisons.includes('given_name'))).toBe(false);
  });

  it('leaves a pair that agrees on the given name too out of the cell: one person, as independence scores it', () => {
    const why = result.explain({ source: 'ehr', recordId: '3-a' }, { source: 'ehr', recordId: '3-b' });
    expect(why.terms.filter((t) => t.comparison !== 'middle_name').map((t) => t.level > 0 && t.label !== 'else')).toEqual([true, true, true, true]);
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
    // link() shifted its scores by the change of prior (consistentPrior) after adding them up: equal to rounding.
    expect(score).toBeCloseTo(why.matchWeight, 9);
  });
});
