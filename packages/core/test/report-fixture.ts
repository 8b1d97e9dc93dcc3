// A small population for the report tests: values made of letters no chart
// library or page template would contain, so "no value appears in the page" is
// a real check and not luck. Two records per person, the second with a typo.
import { link, type LinkResult, type Membership, type PlainRecord, type Settings } from '../src/index.js';

const SYLLABLES = ['zor', 'qua', 'vex', 'ilo', 'mup', 'tre', 'kag', 'nyd', 'osh', 'wib'];
const name = (i: number, salt: number) => SYLLABLES[(i * 7 + salt) % 10] + SYLLABLES[(i * 3 + salt * 5) % 10] + SYLLABLES[(i + salt) % 10] + 'x';

export const PEOPLE = 60;

/** Each person's two records, ids "QJX-<person>-A" and "QJX-<person>-B". */
export function population(): { records: PlainRecord[]; truth: Membership[] } {
  const records: PlainRecord[] = [];
  const truth: Membership[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const first = name(i, 1);
    const last = name(i, 2) + 'qv';
    const dob = `19${30 + (i % 60)}-0${1 + (i % 9)}-${10 + (i % 18)}`;
    const zip = String(97_100 + i * 37);
    const typo = i % 2 === 0 ? first.slice(0, -2) + 'jx' : first;
    for (const [copy, given] of [['A', first], ['B', typo]] as const) {
      const id = `QJX-${String(i).padStart(3, '0')}-${copy}`;
      records.push({ id, first: given, last, dob, zip });
      truth.push({ source: 'ehr', recordId: id, group: `person-${i}` });
    }
  }
  return { records, truth };
}

export const settings: Settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date', zip: 'postcode' } };

export async function linkPopulation(): Promise<{ result: LinkResult; records: PlainRecord[]; truth: Membership[] }> {
  const { records, truth } = population();
  const result = await link({ settings, sources: [{ name: 'ehr', records }], threads: 1 });
  return { result, records, truth };
}

/** Every value of the input, raw, as record ids, and in the spellings normalizers make of it. */
export function inputValues(records: readonly PlainRecord[]): string[] {
  const values = new Set<string>();
  for (const record of records) {
    for (const value of Object.values(record)) {
      const text = String(value);
      values.add(text);
      values.add(text.replace(/-/g, ''));
    }
  }
  return [...values];
}

/**
 * The input values found in a page. A value of digits only (a postcode, a date
 * without dashes) counts only standing alone: inside a longer number it is a
 * computed figure's digits (0.98802...), not the value.
 */
export function valuesIn(page: string, values: readonly string[]): string[] {
  const text = page.toLowerCase();
  return values.filter((value) =>
    /^\d+$/.test(value) ? new RegExp(`(?<![\\d.])${value}(?!\\d)`).test(text) : text.includes(value.toLowerCase()),
  );
}
