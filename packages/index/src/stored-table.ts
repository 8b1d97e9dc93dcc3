// The index's normalized table and blocking keys as parts of its file, so an
// index opened again reads them instead of normalizing every record and
// deriving every key (minutes at a million records). Typed arrays are stored as
// their bytes, string lists (dictionaries, record ids, key strings) as one
// UTF-8 text with each string's length; the small parts (field kinds, flags,
// warnings) as JSON in the manifest. The manifest names the layout version and
// the batch the parts were written with: parts of another layout, or written
// before a batch that did not write them, are not read (the table is built from
// the records again, as for a file from before tables were stored).
import type { BlockingRule } from '@mpi/blocking';
import { MpiError, type ColumnWarning, type FieldKind, type PlaceholderMarks, type RecordTable, type ValueFlag } from '@mpi/core';
import { BlockingKeys, type RuleKeys } from './blocking-keys.js';
import { KeyIds, type SortedKeys } from './key-ids.js';

/** Version of the stored table's layout; parts of another version are not read. */
export const TABLE_LAYOUT = 1;

/** What the file's meta row `table` holds: how to read the parts, and what they hold apart from them. */
export interface TableManifest {
  readonly layout: number;
  /** The batch whose transaction wrote the parts: the table of the index after it. */
  readonly batch: number;
  readonly size: number;
  readonly sources: readonly string[];
  readonly fields: readonly string[];
  readonly fieldKinds: readonly (readonly [string, FieldKind])[];
  readonly valueColumns: readonly (readonly [string, readonly string[]])[];
  /** Fields with placeholder marks. */
  readonly placeholders: readonly string[] | null;
  readonly flags: readonly ValueFlag[];
  readonly warnings: readonly ColumnWarning[];
  /** The blocking rules the keys were compiled from; null when a rule is not a key rule (no keys are held). */
  readonly rules: readonly BlockingRule[] | null;
}

/** The stored form: the manifest, and the parts by name. */
export interface StoredTable {
  readonly manifest: TableManifest;
  readonly parts: Map<string, Buffer>;
}

/** A part read from the file, which a file of this layout always has. */
function present(bytes: Buffer | undefined): Buffer {
  if (bytes === undefined) throw new MpiError('INDEX_FORMAT', 'a part of the stored table is missing from the index file');
  return bytes;
}

const bytesOf = (array: Uint16Array | Uint32Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);

/** A part's bytes as a typed array: a view of them when they are aligned (a blob read from the file is its own buffer), else a copy. */
function arrayOf<T extends Uint16Array | Uint32Array>(bytes: Buffer | undefined, kind: { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number }): T {
  bytes = present(bytes);
  if (bytes.byteOffset % kind.BYTES_PER_ELEMENT === 0) return new kind(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / kind.BYTES_PER_ELEMENT);
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new kind(copy);
}

/**
 * Strings as one part: their count and lengths (UTF-16 units), then their text
 * as UTF-8. Read back with one decode and a slice per string (a decode per
 * string costs several times more at a million record ids).
 */
function packStrings(list: readonly string[]): Buffer {
  const lengths = new Uint32Array(list.length + 1);
  lengths[0] = list.length;
  for (let i = 0; i < list.length; i++) lengths[i + 1] = list[i].length;
  return Buffer.concat([bytesOf(lengths), Buffer.from(list.join(''), 'utf8')]);
}

function unpackStrings(bytes: Buffer | undefined): string[] {
  bytes = present(bytes);
  const count = bytes.readUInt32LE(0);
  const lengths = arrayOf(bytes.subarray(4, 4 + 4 * count), Uint32Array);
  const text = bytes.toString('utf8', 4 + 4 * count);
  const list = new Array<string>(count);
  let at = 0;
  for (let i = 0; i < count; i++) list[i] = text.slice(at, (at += lengths[i]));
  return list;
}

/** Sorted keys as one part: their count, each key's start in the text (UTF-16 units) and its id, then the text as UTF-8. */
function packSortedKeys({ text, starts, ids }: SortedKeys): Buffer {
  return Buffer.concat([bytesOf(Uint32Array.of(ids.length)), bytesOf(starts), bytesOf(ids), Buffer.from(text, 'utf8')]);
}

/** Read back in place (see key-ids.ts): one decode, no string per key. */
function unpackSortedKeys(bytes: Buffer | undefined): SortedKeys {
  bytes = present(bytes);
  const count = bytes.readUInt32LE(0);
  const starts = arrayOf(bytes.subarray(4, 8 + 4 * count), Uint32Array);
  const ids = arrayOf(bytes.subarray(8 + 4 * count, 8 + 8 * count), Uint32Array);
  return { text: bytes.toString('utf8', 8 + 8 * count), starts, ids };
}

/** The table and keys (null: the rules are not all key rules) as stored parts, tagged with the batch that writes them. */
export function tableParts(table: RecordTable, keys: BlockingKeys | null, rules: readonly BlockingRule[], batch: number): StoredTable {
  const parts = new Map<string, Buffer>();
  parts.set('source', bytesOf(table.source));
  parts.set('rows', bytesOf(table.rows));
  parts.set('record_ids', packStrings(table.recordIds));
  const fields = Object.keys(table.columns);
  for (const field of fields) {
    parts.set(`ids:${field}`, bytesOf(table.columns[field].ids));
    parts.set(`dictionary:${field}`, packStrings(table.columns[field].dictionary));
  }
  const marks = table.placeholders === undefined ? null : Object.keys(table.placeholders);
  for (const field of marks ?? []) {
    parts.set(`placeholder_rows:${field}`, bytesOf(table.placeholders![field].rows));
    parts.set(`placeholder_ids:${field}`, bytesOf(table.placeholders![field].ids));
  }
  keys?.rules.forEach((held, r) => {
    parts.set(`key_order:${r}`, bytesOf(held.order));
    parts.set(`key_starts:${r}`, bytesOf(held.blockStart));
    parts.set(`key_names:${r}`, packSortedKeys(held.idOfKey.sortedKeys()));
  });
  const manifest: TableManifest = {
    layout: TABLE_LAYOUT,
    batch,
    size: table.size,
    sources: table.sources,
    fields,
    fieldKinds: [...table.fieldKinds],
    valueColumns: [...table.valueColumns],
    placeholders: marks,
    flags: table.flags,
    warnings: table.warnings,
    rules: keys === null ? null : rules,
  };
  return { manifest, parts };
}

/** The table and keys of stored parts (see tableParts). */
export function tableOf({ manifest, parts }: StoredTable): { table: RecordTable; keys: BlockingKeys | null } {
  const columns: Record<string, { dictionary: readonly string[]; ids: Uint32Array }> = {};
  for (const field of manifest.fields) columns[field] = { dictionary: unpackStrings(parts.get(`dictionary:${field}`)), ids: arrayOf(parts.get(`ids:${field}`), Uint32Array) };
  let placeholders: Record<string, PlaceholderMarks> | undefined;
  if (manifest.placeholders !== null) {
    placeholders = {};
    for (const field of manifest.placeholders) {
      placeholders[field] = { rows: arrayOf(parts.get(`placeholder_rows:${field}`), Uint32Array), ids: arrayOf(parts.get(`placeholder_ids:${field}`), Uint32Array) };
    }
  }
  const table: RecordTable = {
    size: manifest.size,
    sources: manifest.sources,
    source: arrayOf(parts.get('source'), Uint16Array),
    recordIds: unpackStrings(parts.get('record_ids')),
    rows: arrayOf(parts.get('rows'), Uint32Array),
    columns,
    fieldKinds: new Map(manifest.fieldKinds),
    valueColumns: new Map(manifest.valueColumns),
    flags: manifest.flags,
    warnings: manifest.warnings,
    ...(placeholders === undefined ? {} : { placeholders }),
  };
  if (manifest.rules === null) return { table, keys: null };
  const rules: RuleKeys[] = manifest.rules.map((rule, r) => {
    if (rule.kind !== 'key') throw new MpiError('INDEX_FORMAT', 'the index file stores blocking keys for a rule that is not a key rule');
    const idOfKey = KeyIds.fromSorted(unpackSortedKeys(parts.get(`key_names:${r}`)));
    return { rule, idOfKey, order: arrayOf(parts.get(`key_order:${r}`), Uint32Array), blockStart: arrayOf(parts.get(`key_starts:${r}`), Uint32Array) };
  });
  return { table, keys: new BlockingKeys(rules) };
}
