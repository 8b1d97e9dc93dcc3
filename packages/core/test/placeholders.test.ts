import { describe, expect, it } from 'vitest';
import { buildRecordTable, link } from '../src/index.js';
import { defaultComparisons, isPlaceholderValue, MANY_PEOPLE, placeholderName } from '../src/advanced.js';

describe('the documented placeholder list', () => {
  it('knows the national ids, phones, streets, postcodes and e-mails typed when the real value is not at hand', () => {
    for (const id of ['000000000', '999999999', '123456789']) expect(isPlaceholderValue('national_id', id)).toBe(true);
    expect(isPlaceholderValue('national_id', '654343157')).toBe(false);
    for (const phone of ['1234567890', '11234567890', '9999999999']) expect(isPlaceholderValue('phone', phone)).toBe(true);
    expect(isPlaceholderValue('phone', '2239898297')).toBe(false);
    for (const street of ['unk', 'unknown', 'homeless']) expect(isPlaceholderValue('street_address', street)).toBe(true);
    expect(isPlaceholderValue('street_address', '4880 kihn pl')).toBe(false);
    expect(isPlaceholderValue('postcode', '99999')).toBe(true);
    expect(isPlaceholderValue('postcode', '31256')).toBe(false);
    expect(isPlaceholderValue('email', 'none@none.com')).toBe(true);
  });

  it('judges names as a whole: "john doe" is a placeholder, "john" and "doe" alone are names', () => {
    expect(placeholderName('john', 'doe')).toEqual({ given: true, family: true });
    expect(placeholderName('test', 'patient')).toEqual({ given: true, family: true });
    expect(placeholderName('unknown', 'unknown')).toEqual({ given: true, family: true });
    // A newborn's given name is a placeholder; the family name is the family's, and stays evidence.
    expect(placeholderName('baby girl', 'smith')).toEqual({ given: true, family: false });
    expect(placeholderName('john', 'smith')).toEqual({ given: false, family: false });
    expect(placeholderName('mary', 'doe')).toEqual({ given: false, family: false });
  });
});

const settings = {
  recordId: 'id',
  fields: { given: 'given_name', family: 'family_name', dob: 'birth_date', ssn: 'national_id', phone: 'phone', street: 'street_address', zip: 'postcode' },
} as const;

/** `n` different people: distinct names and birth dates, each with its own phone and address. */
function people(n: number, fill: (i: number) => Record<string, string>): Record<string, string>[] {
  const given = ['Ana', 'Luis', 'Sofia', 'Omar', 'Grace', 'Ivan', 'Mei', 'Tomas', 'Nadia', 'Pablo', 'Ruth', 'Kofi', 'Lena', 'Yusuf', 'Clara', 'Diego'];
  const family = ['Reyes', 'Okafor', 'Lindqvist', 'Haddad', 'Novak', 'Tanaka', 'Brennan', 'Costa', 'Mbeki', 'Larsen', 'Sato', 'Duarte', 'Kowalski', 'Farah', 'Ibsen', 'Moreau'];
  return Array.from({ length: n }, (_, i) => ({
    given: given[i % given.length],
    family: family[(i * 7 + 3) % family.length],
    dob: `${1930 + i}-0${1 + (i % 9)}-1${i % 10}`,
    ssn: `${512 + i}4${i % 10}${7000 + i}`.slice(0, 9),
    phone: `617555${1000 + i}`,
    street: `${10 + i} Oak St`,
    zip: `0${2100 + i}`,
    ...fill(i),
  }));
}

describe('placeholders in the record table', () => {
  it('keeps a placeholder value in the record, flagged, but as missing evidence', async () => {
    const records = people(3, (i) => ({ id: String(i), ssn: i < 2 ? '000-00-0000' : '512409001' }));
    const table = await buildRecordTable([{ name: 'ehr', records }], settings);
    const ssn = table.columns.national_id;
    expect([...ssn.ids].map((id) => ssn.dictionary[id])).toEqual(['', '', '512409001']);
    // The value is kept: which records held it, and what.
    const marks = table.placeholders!.national_id;
    expect([...marks.rows]).toEqual([0, 1]);
    expect([...marks.ids].map((id) => ssn.dictionary[id])).toEqual(['000000000', '000000000']);
    expect(table.flags.filter((f) => f.reason === 'placeholder')).toEqual([
      { source: 'ehr', row: 1, column: 'national_id', reason: 'placeholder' },
      { source: 'ehr', row: 2, column: 'national_id', reason: 'placeholder' },
    ]);
  });

  it('treats the name and a 1900-01-01 birth date of an unknown patient as placeholders, a newborn\'s family name not', async () => {
    const records = [
      { id: '1', given: 'JOHN', family: 'DOE', dob: '1900-01-01' },
      { id: '2', given: 'BABY GIRL', family: 'Reyes', dob: '2024-03-02' },
      { id: '3', given: 'John', family: 'Reyes', dob: '1900-01-01' },
    ];
    const table = await buildRecordTable([{ name: 'ehr', records }], { recordId: 'id', fields: { given: 'given_name', family: 'family_name', dob: 'birth_date' } });
    const value = (field: string, r: number) => table.columns[field].dictionary[table.columns[field].ids[r]];
    expect([value('given_name', 0), value('family_name', 0), value('birth_date', 0)]).toEqual(['', '', '']);
    expect([value('given_name', 1), value('family_name', 1), value('birth_date', 1)]).toEqual(['', 'reyes', '20240302']);
    // A real name with 1900-01-01, once in the data: may be a real date, stays evidence.
    expect([value('given_name', 2), value('family_name', 2), value('birth_date', 2)]).toEqual(['john', 'reyes', '19000101']);
  });

  it('finds a junk value no list knows: far more frequent than the column\'s usual value and held by many different people', async () => {
    const n = 60;
    const records = people(n, (i) => ({ id: String(i), phone: i < 2 * MANY_PEOPLE ? '617-555-0100' : `617555${1000 + i}` }));
    // One person with many records shares one phone too, and so do the 4 members of a household: both stay evidence.
    for (let k = 0; k < 2 * MANY_PEOPLE; k++) records.push({ ...records[n - 1], id: `again-${k}` });
    for (let k = 0; k < 4; k++) records.push({ ...records[n - 2 - k], id: `household-${k}`, phone: '6175550199' });
    const table = await buildRecordTable([{ name: 'ehr', records }], settings);
    const phone = table.columns.phone;
    const held = [...table.placeholders!.phone.ids].map((id) => phone.dictionary[id]);
    expect(new Set(held)).toEqual(new Set(['+16175550100']));
    expect(held).toHaveLength(2 * MANY_PEOPLE);
    const kept = new Set([...phone.ids].map((id) => phone.dictionary[id]));
    expect(kept.has('+16175550199') && kept.has(`+1617555${1000 + n - 1}`)).toBe(true);
  });

  it('judges a junk value on given names where the birth dates are missing (a column of dates that failed to parse)', async () => {
    const records = people(40, (i) => ({ id: String(i), dob: '', street: i < 20 ? '1 Hospital Way' : `${10 + i} Oak St` }));
    const table = await buildRecordTable([{ name: 'ehr', records }], settings);
    const street = table.columns.street_address;
    expect(new Set([...table.placeholders!.street_address.ids].map((id) => street.dictionary[id]))).toEqual(new Set(['1 hospital way']));
  });
});

describe('the default comparisons', () => {
  it('mark given name, birth date and sex as demographic: disagreeing on all three vetoes an identifier agreement', () => {
    const kinds = new Map(Object.entries({ given_name: 'given_name', birth_date: 'birth_date', sex: 'sex', national_id: 'national_id', family_name: 'family_name' } as const));
    const marked = defaultComparisons(kinds).filter((c) => c.demographic).map((c) => c.name);
    expect(marked).toEqual(['given_name', 'birth_date', 'sex']);
  });
});

describe('placeholders in linking', () => {
  it('never pairs nor groups unrelated people on a shared placeholder national id and a shared attribute', async () => {
    // 40 people twice each (a second, slightly different record), and 12 unrelated
    // people registered with 000-00-0000, all called Smith.
    const base = people(40, () => ({}));
    const records = [
      ...base.map((p, i) => ({ ...p, id: `a${i}` })),
      ...base.map((p, i) => ({ ...p, id: `b${i}`, street: p.street.toUpperCase(), phone: '' })),
      ...people(52, () => ({})).slice(40).map((p, i) => ({ ...p, id: `x${i}`, ssn: '000-00-0000', family: 'Smith' })),
    ];
    const result = await link({ settings, sources: [{ name: 'ehr', records }], threads: 1 });
    // The national id rule pairs the 40 true pairs, not the 66 pairs of the placeholder's block.
    expect(result.blocking.rules.find((rule) => rule.name === 'national_id')?.pairs).toBe(40);
    const groups = result.groups();
    for (const group of groups) expect(group.records.filter((r) => r.recordId.startsWith('x')).length).toBeLessThanOrEqual(1);
    // The true pairs are still found.
    expect(groups.filter((g) => g.records.length === 2)).toHaveLength(40);
  });
});
