// Many records per person: the broad blocking rules must be sized to the true
// pairs the data holds, not to a fixed number of pairs per record. With ~40
// records a person the true pairs alone are ~20 per record, and a fixed
// allowance of 2 per record (or 100,000 pairs) dropped the one rule that finds
// the copies whose birth date was mistyped.
import { describe, expect, it } from 'vitest';
import { matchProbability } from '@mpi/scoring';
import { link, type LinkResult, type PlainRecord } from '../src/index.js';

const PEOPLE = 150;
const COPIES = 40;
const letters = 'bcdfghjklmnprstvz';
const vowels = 'aeiou';

/** A made-up name, different for every i (consonant-vowel syllables from the digits of i). */
function name(i: number, salt: number): string {
  let n = i * 7 + salt;
  let out = '';
  for (let k = 0; k < 4; k++) {
    out += letters[n % letters.length] + vowels[(n >> 3) % vowels.length];
    n = Math.floor(n / letters.length) + 11 * (k + 1);
  }
  return out;
}

/**
 * Every person registered COPIES times with the same names and postcode; one
 * copy in six has a birth date typed wrong (another year, month and day), so
 * only a rule on the names alone pairs it with the others.
 */
function records(): { records: PlainRecord[]; person: string[] } {
  const out: PlainRecord[] = [];
  const person: string[] = [];
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let p = 0; p < PEOPLE; p++) {
    const dob = `19${String(30 + (p % 60)).padStart(2, '0')}-${String(1 + (p % 12)).padStart(2, '0')}-${String(1 + (p % 28)).padStart(2, '0')}`;
    for (let k = 0; k < COPIES; k++) {
      const wrong = random() < 1 / 6;
      const typo = `19${String(10 + Math.floor(random() * 80)).padStart(2, '0')}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
      out.push({ id: `${p}-${k}`, first: name(p, 1), last: name(p, 5), dob: wrong ? typo : dob, zip: String(10000 + ((p * 37) % 90000)) });
      person.push(String(p));
    }
  }
  return { records: out, person };
}

/** Share of the true pairs (same person) among the candidate pairs. */
function pairCompleteness(result: LinkResult, person: readonly string[]): number {
  let found = 0;
  for (const { left, right } of result.pairs.chunks) for (let k = 0; k < left.length; k++) if (person[left[k]] === person[right[k]]) found++;
  return found / ((PEOPLE * COPIES * (COPIES - 1)) / 2);
}

describe('the pair budget with many records per person', () => {
  const data = records();
  const settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date', zip: 'postcode' } } as const;
  const run = link({ settings, sources: [{ name: 'registry', records: data.records }], threads: 1 });

  it('keeps the broad rule that finds the mistyped copies: pair completeness above 0.99', async () => {
    const result = await run;
    // Rows are in input order: row r is data.person[r].
    expect(pairCompleteness(result, data.person)).toBeGreaterThan(0.99);
  });

  it('estimates the true pairs before blocking from the tight rules, as a lower bound of the right size', async () => {
    const { blocking } = await run;
    const truePairs = (PEOPLE * COPIES * (COPIES - 1)) / 2;
    expect(blocking.expectedTruePairs).toBeGreaterThan(0.5 * truePairs);
    expect(blocking.expectedTruePairs).toBeLessThanOrEqual(1.05 * truePairs);
  });

  it('estimates pair completeness without the truth, close to the real one', async () => {
    const result = await run;
    expect(result.blocking.estimatedPairCompleteness).toBeDefined();
    expect(Math.abs(result.blocking.estimatedPairCompleteness! - pairCompleteness(result, data.person))).toBeLessThan(0.02);
  });
});

describe('the prior', () => {
  it('is consistent with the scores: prior x comparison space = the expected matches among the candidate pairs', async () => {
    const settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date', zip: 'postcode' } } as const;
    // A smaller registry of the same make: 60 people, 6 records each.
    const some = records().records.filter((record) => Number(String(record.id).split('-')[0]) < 60 && Number(String(record.id).split('-')[1]) < 6);
    const result = await link({ settings, sources: [{ name: 'registry', records: some }], threads: 1 });
    let expected = 0;
    for (const chunk of result.weights) for (const weight of chunk) expected += matchProbability(weight);
    expect(Math.abs(result.model.prior * result.blocking.totalPairs - expected) / expected).toBeLessThan(0.01);
  });
});
