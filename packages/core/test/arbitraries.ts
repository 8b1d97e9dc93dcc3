/**
 * fast-check generators of linkage inputs for the property tests: small
 * populations of people with repeats, missing values and any Unicode, spread
 * over sources, and the ways the same records can be handed to link() (CSV,
 * NDJSON, in-memory arrays, sync and async iterables in chunks, any row order).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { PlainRecord, Settings, SourceInput } from '../src/index.js';

/**
 * Characters values are drawn from: ASCII with CSV's special characters, accents
 * precomposed and as combining marks, emoji (surrogate pairs, ZWJ sequences),
 * right-to-left scripts, zero-width and full-width characters. Every string of
 * them is well-formed UTF-16, so it survives a UTF-8 file unchanged.
 */
const CHARACTERS = [
  ...'aAbeEjlmnorsyz019-./ ',
  ',', '"', "'", '\n', '\r\n', '\t',
  'é', 'ß', 'Ø', 'ñ', 'e\u0301', 'n\u0303', '\u0308',
  '😀', '👩\u200d⚕️', '🇫🇷',
  'ש', 'ל', 'ו', 'م', 'ح', 'د', '\u200f',
  '\u200b', '\ufeff', '１', '９', 'Ｍ',
  '李', '明',
];

/** Any short well-formed string, including empty and blank ones. */
export const anyText = fc.string({ unit: fc.constantFrom(...CHARACTERS), maxLength: 6 });

/**
 * A valid record id: non-blank, no blanks at its ends (CSV fields are trimmed),
 * no control character (refused in ids), digits sometimes long enough to pass 2^53.
 */
export const recordIdArb = fc.oneof(
  fc
    .string({ unit: fc.constantFrom(...CHARACTERS), minLength: 1, maxLength: 5 })
    .filter((id) => id.trim() === id && id !== '' && !/[\u0000-\u001f\u007f-\u009f]/.test(id)),
  fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
);

const GIVEN = ['Ann', 'Anne', 'Bob', 'José', 'Jose\u0301', 'محمد', 'שרה', '李明', 'Zoë 😀'];
const FAMILY = ['Lee', 'Smith', "O'Neil", 'García', 'Müller', 'כהן', 'Nguyen, Jr', '"Q"'];
const BIRTH = ['1990-01-02', '1985-12-31', '2000-02-29', '1970-07-04', '１９９０-０１-０２', '1999-02-30', '12/31/1985'];

/** A person: the values a record of them shows when nothing is wrong. */
export interface Person {
  readonly given: string;
  readonly family: string;
  readonly birth: string;
}

export const personArb: fc.Arbitrary<Person> = fc.record({
  given: fc.oneof(fc.constantFrom(...GIVEN), anyText),
  family: fc.oneof(fc.constantFrom(...FAMILY), anyText),
  birth: fc.oneof(fc.constantFrom(...BIRTH), anyText),
});

/** The three logical fields every generated source has, with their kinds. */
export const FIELD_KINDS_USED = { given: 'given_name', family: 'family_name', birth: 'birth_date' } as const;
export type Field = keyof typeof FIELD_KINDS_USED;
const FIELDS = Object.keys(FIELD_KINDS_USED) as Field[];

/**
 * Column names: ordinary, non-ASCII, and names that are also properties of every
 * JavaScript object (a reader must not take Object.prototype's for a value).
 */
const COLUMN_NAMES = ['id', 'given', 'family', 'dob', 'rec id', 'nom_de_famille', 'שם', 'constructor', '__proto__', 'toString', 'valueOf'];

/** The CSV/NDJSON/object column of the record id and of each field. */
export interface Columns {
  readonly id: string;
  readonly given: string;
  readonly family: string;
  readonly birth: string;
}

export const columnsArb: fc.Arbitrary<Columns> = fc
  .uniqueArray(fc.constantFrom(...COLUMN_NAMES), { minLength: 4, maxLength: 4 })
  .map(([id, given, family, birth]) => ({ id, given, family, birth }));

/** A missing value as an object can hold it: empty, null, undefined, or no key at all. */
export type Missing = '' | null | undefined | 'absent';
const missingArb = fc.constantFrom<Missing>('', null, undefined, 'absent');

/** One record's value of a field: the person's own, missing, or another value. */
type Cell = { readonly kind: 'own' } | { readonly kind: 'missing'; readonly as: Missing } | { readonly kind: 'other'; readonly value: string };
const cellArb: fc.Arbitrary<Cell> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'own' as const }) },
  { weight: 2, arbitrary: missingArb.map((as) => ({ kind: 'missing' as const, as })) },
  { weight: 1, arbitrary: anyText.map((value) => ({ kind: 'other' as const, value })) },
);

/** A record as generated: its id, the person it shows, and what it shows of each field. */
export interface GeneratedRecord {
  readonly id: string;
  readonly person: number;
  readonly cells: Readonly<Record<Field, Cell>>;
}

export interface GeneratedSource {
  readonly name: string;
  readonly records: readonly GeneratedRecord[];
}

/** A linkage problem: people, sources of 0 to 5 records of them (with repeats), columns and mode. */
export interface Population {
  readonly people: readonly Person[];
  readonly columns: Columns;
  readonly mode: 'dedupe' | 'link' | 'link_and_dedupe';
  readonly sources: readonly GeneratedSource[];
}

const SOURCE_NAMES = ['ehr', 'lab', 'a', 'b', 'clínica', '病院'];

export const populationArb: fc.Arbitrary<Population> = fc
  .record({
    people: fc.array(personArb, { minLength: 1, maxLength: 4 }),
    columns: columnsArb,
    mode: fc.constantFrom('dedupe' as const, 'link' as const, 'link_and_dedupe' as const),
    names: fc.uniqueArray(fc.constantFrom(...SOURCE_NAMES), { minLength: 1, maxLength: 3 }),
  })
  .chain(({ people, columns, mode, names }) =>
    fc
      .tuple(
        ...names.map((name) =>
          fc
            .uniqueArray(
              fc.record({
                id: recordIdArb,
                person: fc.nat({ max: people.length - 1 }),
                cells: fc.record({ given: cellArb, family: cellArb, birth: cellArb }),
              }),
              { selector: (record) => record.id, maxLength: 5 },
            )
            .map((records) => ({ name, records })),
        ),
      )
      .map((sources) => ({ people, columns, mode, sources })),
  );

/** The settings of a population: the three fields by kind, defaults for the rest. */
export function settingsOf(population: Population): Settings {
  const { columns } = population;
  const fields: Record<string, string> = {};
  // defineProperty: `fields[name] = ...` with name "__proto__" would set the prototype, not a field.
  for (const field of FIELDS) Object.defineProperty(fields, columns[field], { value: FIELD_KINDS_USED[field], enumerable: true, writable: true, configurable: true });
  return { recordId: columns.id, mode: population.mode, fields } as unknown as Settings;
}

/** A field's text in a record, '' when missing. */
function text(population: Population, record: GeneratedRecord, field: Field): string {
  const cell = record.cells[field];
  if (cell.kind === 'own') return population.people[record.person][field];
  return cell.kind === 'other' ? cell.value : '';
}

/** Sets an own property, whatever its name (a plain assignment to "__proto__" would not). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The records of a source as plain objects. A missing value is '', null,
 * undefined or an absent key, as generated; a column absent from every record is
 * given as null in the first one (an object source names its columns through its
 * records: one that no record has is, rightly, a missing column).
 */
export function plainRecords(population: Population, source: GeneratedSource): PlainRecord[] {
  const { columns } = population;
  const out = source.records.map((record) => {
    const object: Record<string, unknown> = {};
    put(object, columns.id, record.id);
    for (const field of FIELDS) {
      const cell = record.cells[field];
      if (cell.kind === 'missing') {
        if (cell.as !== 'absent') put(object, columns[field], cell.as);
      } else put(object, columns[field], text(population, record, field));
    }
    return object;
  });
  for (const field of FIELDS) {
    if (out.length > 0 && !out.some((object) => Object.prototype.hasOwnProperty.call(object, columns[field]))) put(out[0], columns[field], null);
  }
  return out;
}

/** A CSV field, quoted when it must be (or always, when `quoteAll`). */
function csvField(value: string, quoteAll: boolean): string {
  return quoteAll || /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

/** How a source is written or handed over. */
export interface Rendering {
  readonly format: 'array' | 'iterable' | 'async' | 'csv' | 'ndjson';
  /** Row order: the records sorted by these keys (ties keep generated order). */
  readonly order: readonly number[];
  /** async: records per chunk, cycled; an await of a macrotask between chunks. */
  readonly chunks: readonly number[];
  /** csv/ndjson: line break, and a byte-order mark first. */
  readonly crlf: boolean;
  readonly bom: boolean;
  /** csv: quote every field, header included. */
  readonly quoteAll: boolean;
  /** ndjson: write digit-only record ids as JSON numbers. */
  readonly numericIds: boolean;
}

export const renderingArb: fc.Arbitrary<Rendering> = fc.record({
  format: fc.constantFrom('array' as const, 'iterable' as const, 'async' as const, 'csv' as const, 'ndjson' as const),
  order: fc.array(fc.nat({ max: 99 }), { minLength: 5, maxLength: 5 }),
  chunks: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  quoteAll: fc.boolean(),
  numericIds: fc.boolean(),
});

function reordered<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items.map((item, i) => ({ item, key: keys[i % keys.length], i })).sort((a, b) => a.key - b.key || a.i - b.i).map(({ item }) => item);
}

async function* inChunks(records: readonly PlainRecord[], sizes: readonly number[]): AsyncGenerator<PlainRecord> {
  let k = 0;
  for (let at = 0; at < records.length; k++) {
    const size = sizes[k % sizes.length];
    for (const record of records.slice(at, at + size)) yield record;
    at += size;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * A source as link() takes it, rendered as asked: in-memory records, or a file
 * written in `dir`. The records and their values are the same in every rendering.
 */
export function renderSource(population: Population, source: GeneratedSource, rendering: Rendering, dir: string): SourceInput {
  const records = reordered(plainRecords(population, source), rendering.order);
  const { name } = source;
  const newline = rendering.crlf ? '\r\n' : '\n';
  const bom = rendering.bom ? '\ufeff' : '';
  const file = join(dir, `${encodeURIComponent(name)}.${rendering.format}`);
  const { columns } = population;
  const order = [columns.id, ...FIELDS.map((field) => columns[field])];
  switch (rendering.format) {
    case 'array':
      return { name, records };
    case 'iterable':
      return { name, records: (function* () { yield* records; })() };
    case 'async':
      return { name, records: inChunks(records, rendering.chunks) };
    case 'csv': {
      const cell = (value: unknown) => csvField(typeof value === 'string' ? value : '', rendering.quoteAll);
      const lines = [order.map(cell), ...records.map((record) => order.map((column) => cell(record[column])))];
      writeFileSync(file, bom + lines.map((line) => line.join(',')).join(newline) + newline);
      return { name, path: file, format: 'csv' };
    }
    case 'ndjson': {
      // A digit-only id is written as a JSON number by splicing its digits over a placeholder string.
      const placeholder = '\u0000id\u0000';
      const lines = records.map((record) => {
        const id = record[columns.id] as string;
        const asNumber = rendering.numericIds && /^(0|[1-9][0-9]*)$/.test(id);
        const copy: Record<string, unknown> = {};
        // JSON has no undefined (the key would vanish): it is written as null.
        for (const key of Object.keys(record)) put(copy, key, key === columns.id && asNumber ? placeholder : (record[key] ?? null));
        const line = JSON.stringify(copy);
        return asNumber ? line.replace(JSON.stringify(placeholder), id) : line;
      });
      writeFileSync(file, bom + lines.join(newline) + newline);
      return { name, path: file, format: 'ndjson' };
    }
  }
}

/** How many records the population has. */
export function recordCount(population: Population): number {
  return population.sources.reduce((n, source) => n + source.records.length, 0);
}
