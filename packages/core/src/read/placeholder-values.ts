import type { EncodedColumn } from '@mpi/types';
import {
  isPlaceholderValue,
  mayStartWholeName,
  placeholderName,
  SENTINEL_BIRTH_DATES,
  type PlaceholderKind,
} from '../normalize/placeholders.js';
import type { FieldKind } from '../defaults/field-kind-names.js';

/**
 * A value held by more records than this many times its column's typical value
 * (the count of the value the median record holds) is a candidate junk value.
 * 10x: at 2,000 to 1M people a national id, phone or e-mail is held by one
 * person's few records (typical 1-15, up to 200 for one person with many
 * records) and a birth date by 1-30 records; a placeholder shared by 1% of the
 * records is 10-1000x that. docs/decisions/placeholders.md has the figures.
 */
export const FREQUENT_VALUE_RATIO = 10;

/**
 * A candidate junk value is junk when its records look like at least this many
 * different people: the inverse Simpson index of their birth dates (given names
 * for the birth date itself), i.e. the number of equally common birth dates that
 * would be as mixed. One person's records agree on their birth date (a typo
 * aside: ~1.1-1.5); a household's phone or address is shared by its members
 * (households of more than 8 are rare); a placeholder by everyone who got it.
 */
export const MANY_PEOPLE = 8;

/** Kinds whose values belong to one person or one household, so a value held by many different people is junk. */
const DATA_CHECKED: ReadonlySet<FieldKind> = new Set(['national_id', 'identifier', 'phone', 'email', 'street_address', 'birth_date']);

const LISTED: ReadonlySet<FieldKind> = new Set<PlaceholderKind>(['national_id', 'identifier', 'phone', 'street_address', 'address_line_2', 'postcode', 'email']);

/** The records of a field whose value is a placeholder: their rows (ascending) and the value ids they hold. */
export interface PlaceholderMarks {
  readonly rows: Uint32Array;
  readonly ids: Uint32Array;
}

/** The columns with placeholders turned into missing, and what they held. */
export interface MarkedColumns {
  readonly columns: Record<string, EncodedColumn>;
  readonly placeholders: Record<string, PlaceholderMarks>;
}

/** Per field, per record: 1 when the record's value is a placeholder. */
type Masks = Map<string, Uint8Array>;

function maskOf(masks: Masks, field: string, size: number): Uint8Array {
  let mask = masks.get(field);
  if (mask === undefined) masks.set(field, (mask = new Uint8Array(size)));
  return mask;
}

/** Value id, or 0 when missing or marked. */
function liveId(column: EncodedColumn | undefined, mask: Uint8Array | undefined, r: number): number {
  if (column === undefined) return 0;
  return mask !== undefined && mask[r] !== 0 ? 0 : column.ids[r];
}

/** Marks the records holding a value of the documented list (normalize/placeholders.ts). */
function markListed(column: EncodedColumn, kind: PlaceholderKind, mask: () => Uint8Array): void {
  const listed = Uint8Array.from(column.dictionary, (value, id) => (id !== 0 && isPlaceholderValue(kind, value) ? 1 : 0));
  if (!listed.includes(1)) return;
  const marks = mask();
  const ids = column.ids;
  for (let r = 0; r < ids.length; r++) if (listed[ids[r]] !== 0) marks[r] = 1;
}

/** Whether a given name may make a record's name a placeholder (alone, or as the start of a whole name): only then is its record looked at. */
export function givenMayMark(given: string): boolean {
  return given !== '' && (placeholderName(given, '').given || mayStartWholeName(given));
}

/** Whether a family name is a placeholder on its own. */
export function familyMayMark(family: string): boolean {
  return family !== '' && placeholderName('', family).family;
}

/**
 * Which of a record's given name, family name and birth date are placeholders:
 * a placeholder given or family name (alone or as a whole name), and a
 * sentinel birth date beside one. The in-process read decides per record, the
 * streamed read per distinct (given, family, sentinel date) it finds in SQL.
 */
export function nameMarks(given: string, family: string, sentinelBirthDate: boolean): { given: boolean; family: boolean; birthDate: boolean } {
  const alone = placeholderName(given, '').given;
  const familyAlone = family !== '' && placeholderName('', family).family;
  const whole = mayStartWholeName(given) && family !== '' && placeholderName(given, family).family;
  const givenMarked = (given !== '' && alone) || whole;
  const familyMarked = familyAlone || whole;
  return { given: givenMarked, family: familyMarked, birthDate: (givenMarked || familyMarked) && sentinelBirthDate };
}

/** Marks placeholder names (given, family or the whole name), and a sentinel birth date beside one. */
function markNames(columns: Readonly<Record<string, EncodedColumn>>, masks: Masks, size: number): void {
  const given = columns.given_name;
  const family = columns.family_name;
  if (given === undefined && family === undefined) return;
  const givenValues = given?.dictionary ?? [''];
  const familyValues = family?.dictionary ?? [''];
  // Per value, once: most records need no string built.
  const givenMay = Uint8Array.from(givenValues, (v) => (givenMayMark(v) ? 1 : 0));
  const familyMay = Uint8Array.from(familyValues, (v) => (familyMayMark(v) ? 1 : 0));
  const born = columns.birth_date;
  const sentinel = born ? Uint8Array.from(born.dictionary, (v) => (SENTINEL_BIRTH_DATES.has(v) ? 1 : 0)) : undefined;
  for (let r = 0; r < size; r++) {
    const g = given ? given.ids[r] : 0;
    const f = family ? family.ids[r] : 0;
    if (givenMay[g] === 0 && familyMay[f] === 0) continue;
    const marks = nameMarks(givenValues[g], familyValues[f], born !== undefined && sentinel![born.ids[r]] !== 0);
    if (marks.given) maskOf(masks, 'given_name', size)[r] = 1;
    if (marks.family) maskOf(masks, 'family_name', size)[r] = 1;
    if (marks.birthDate) maskOf(masks, 'birth_date', size)[r] = 1;
  }
}

/** The count of the value the median present record holds (0 when none is present). */
export function typicalCount(counts: Uint32Array): number {
  const held = counts.filter((c, id) => id !== 0 && c > 0).sort();
  let present = 0;
  for (const c of held) present += c;
  let seen = 0;
  for (const c of held) {
    seen += c;
    if (seen * 2 >= present) return c;
  }
  return 0;
}

/** Inverse Simpson index of a tally: (sum c)^2 / sum c^2, the number of equally common values as mixed. */
function effectiveCount(tally: ReadonlyMap<number, number>): number {
  let sum = 0;
  let squares = 0;
  for (const c of tally.values()) {
    sum += c;
    squares += c * c;
  }
  return squares === 0 ? 0 : (sum * sum) / squares;
}

/**
 * The records of a field holding a value the data shows to be junk: held by at
 * least FREQUENT_VALUE_RATIO x the typical count of records, and by records
 * that look like MANY_PEOPLE or more different people, judged on the first of
 * `partners` (demographic fields) that enough of them hold: the birth date, else
 * the given name (a column whose birth dates all failed to parse is still
 * judged). On frequency alone when the table has no partner field at all.
 */
function frequentValues(
  field: string,
  columns: Readonly<Record<string, EncodedColumn>>,
  masks: Masks,
  partners: readonly string[],
  size: number,
): Uint8Array | undefined {
  const column = columns[field];
  const own = masks.get(field);
  const counts = new Uint32Array(column.dictionary.length);
  for (let r = 0; r < size; r++) counts[liveId(column, own, r)]++;
  const floor = frequentFloor(counts);
  const candidates: number[] = [];
  for (let id = 1; id < counts.length; id++) if (counts[id] >= floor) candidates.push(id);
  if (candidates.length === 0) return undefined;
  const junk = new Uint8Array(counts.length);
  // Per candidate and partner field, how many of its records hold each partner value.
  const slot = new Int32Array(counts.length).fill(-1);
  candidates.forEach((id, i) => (slot[id] = i));
  const tallies = candidates.map(() => partners.map(() => new Map<number, number>()));
  partners.forEach((partnerField, p) => {
    const partner = columns[partnerField];
    const partnerMask = masks.get(partnerField);
    for (let r = 0; r < size; r++) {
      const i = slot[liveId(column, own, r)];
      const value = i < 0 ? 0 : liveId(partner, partnerMask, r);
      if (value === 0) continue;
      const tally = tallies[i][p];
      tally.set(value, (tally.get(value) ?? 0) + 1);
    }
  });
  candidates.forEach((id, i) => {
    if (isJunk(tallies[i])) junk[id] = 1;
  });
  if (!junk.includes(1)) return undefined;
  const found = new Uint8Array(size);
  for (let r = 0; r < size; r++) if (junk[column.ids[r]] !== 0) found[r] = 1;
  return found;
}

/** The least count of records that makes a value of a column (`counts` by value id, 0 = missing) a candidate junk value. */
export function frequentFloor(counts: Uint32Array): number {
  return Math.max(MANY_PEOPLE, FREQUENT_VALUE_RATIO * typicalCount(counts));
}

/**
 * Whether a candidate junk value is junk, from the tallies of the partner values
 * its records hold (one per partner field, in partnersOf order): judged on the
 * first partner held by MANY_PEOPLE records or more; on frequency alone when
 * the table has no partner field.
 */
export function isJunk(tallies: readonly ReadonlyMap<number, number>[]): boolean {
  if (tallies.length === 0) return true;
  const judged = tallies.find((tally) => recordsIn(tally) >= MANY_PEOPLE);
  return judged !== undefined && effectiveCount(judged) >= MANY_PEOPLE;
}

function recordsIn(tally: ReadonlyMap<number, number>): number {
  let records = 0;
  for (const c of tally.values()) records += c;
  return records;
}

/** The demographic fields that tell apart the people holding a value of `field`: birth date, then given name. */
export function partnersOf(field: string, columns: Readonly<Record<string, unknown>>): string[] {
  return ['birth_date', 'given_name'].filter((partner) => partner !== field && columns[partner] !== undefined);
}

/**
 * The demographic field that tells the people holding a value of `field` apart:
 * the birth date, or for the birth date the given name (undefined when absent).
 * Junk values are judged on it here, and term frequencies count people by it.
 */
export function demographicPartner(field: string, columns: Readonly<Record<string, unknown>>): string | undefined {
  return partnersOf(field, columns)[0];
}

/** The column with the masked records' ids set to 0 (missing), in shared memory like the table's own (see encodeInOrder). */
function masked(column: EncodedColumn, mask: Uint8Array): { column: EncodedColumn; marks: PlaceholderMarks } {
  let count = 0;
  for (let r = 0; r < mask.length; r++) if (mask[r] !== 0 && column.ids[r] !== 0) count++;
  const ids = new Uint32Array(new SharedArrayBuffer(column.ids.length * Uint32Array.BYTES_PER_ELEMENT));
  ids.set(column.ids);
  const rows = new Uint32Array(count);
  const held = new Uint32Array(count);
  for (let r = 0, i = 0; r < mask.length; r++) {
    if (mask[r] === 0 || ids[r] === 0) continue;
    rows[i] = r;
    held[i++] = ids[r];
    ids[r] = 0;
  }
  return { column: { dictionary: column.dictionary, ids }, marks: { rows, ids: held } };
}

/**
 * The columns checked for listed placeholder values (with their kind), and
 * those whose frequent values are judged by the data, in field order.
 */
export function placeholderChecks(columns: readonly string[], fieldKinds: ReadonlyMap<string, FieldKind>, size: number): { listed: [string, PlaceholderKind][]; frequent: string[] } {
  const present = new Set(columns);
  const listed: [string, PlaceholderKind][] = [];
  for (const [field, kind] of fieldKinds) if (present.has(field) && LISTED.has(kind)) listed.push([field, kind as PlaceholderKind]);
  // A street name without its number is shared by a whole street: only a full address line is checked.
  const hasStreetNumber = [...fieldKinds.values()].includes('street_number');
  // A value is junk by the data only when at least MANY_PEOPLE records hold it: a table of fewer
  // records (an index's match query) has none, and skips the tallies.
  const frequent =
    size < MANY_PEOPLE ? [] : [...fieldKinds].filter(([field, kind]) => present.has(field) && DATA_CHECKED.has(kind) && !(kind === 'street_address' && hasStreetNumber)).map(([field]) => field);
  return { listed, frequent };
}

/**
 * Finds the placeholder values of a record table's columns: the documented
 * list (normalize/placeholders.ts), then values the data shows to be shared by
 * many different people (markFrequent). Their records keep the value (in the
 * marks) but the returned columns hold them as missing, so blocking never pairs
 * on them and comparisons weigh them as no evidence.
 */
export function markPlaceholders(columns: Readonly<Record<string, EncodedColumn>>, fieldKinds: ReadonlyMap<string, FieldKind>, size: number): MarkedColumns {
  const masks: Masks = new Map();
  const checks = placeholderChecks(Object.keys(columns), fieldKinds, size);
  for (const [field, kind] of checks.listed) markListed(columns[field], kind, () => maskOf(masks, field, size));
  markNames(columns, masks, size);
  // Each field is judged against the list's marks only, so the result does not depend on the order of the fields.
  const found: [string, Uint8Array][] = [];
  for (const field of checks.frequent) {
    const records = frequentValues(field, columns, masks, partnersOf(field, columns), size);
    if (records !== undefined) found.push([field, records]);
  }
  for (const [field, records] of found) {
    const mask = maskOf(masks, field, size);
    for (let r = 0; r < size; r++) mask[r] |= records[r];
  }
  const out: Record<string, EncodedColumn> = { ...columns };
  const placeholders: Record<string, PlaceholderMarks> = {};
  for (const [field, mask] of masks) {
    const { column, marks } = masked(columns[field], mask);
    if (marks.rows.length === 0) continue;
    out[field] = column;
    placeholders[field] = marks;
  }
  return { columns: out, placeholders };
}
