// FHIR R4 Patient sources: Bulk Data NDJSON (one resource a line) or a Bundle
// (pretty-printed JSON, or one Bundle a line), each Patient read as a flat record.
import { open } from 'node:fs/promises';
import { InvalidResourceError, MalformedRowError } from '../../errors.js';
import { parseNdjson, type NdjsonCursor } from '../ndjson.js';
import { looksLikeParquet } from '../parquet-reader.js';
import { readObjectCells } from '../object-reader.js';
import type { CellBatch, SourceInput } from '../source-input.js';
import { decodeFileStream } from '../source-text.js';
import { patientRecord, ResourceProblem } from './patient-record.js';

/** Bytes read from a file's start to tell its format. */
const PEEK_BYTES = 1 << 16;

/** A file's format as declared, else from its content: Parquet by its magic number, FHIR when it holds JSON with a resourceType, NDJSON for .ndjson/.jsonl, else CSV. */
export async function sourceFormat(input: Extract<SourceInput, { readonly path: string }>): Promise<'csv' | 'ndjson' | 'fhir' | 'parquet'> {
  if (input.format !== undefined) return input.format;
  const byName = input.path.endsWith('.ndjson') || input.path.endsWith('.jsonl') ? 'ndjson' : 'csv';
  let head: string;
  try {
    const file = await open(input.path, 'r');
    try {
      const { buffer, bytesRead } = await file.read(Buffer.alloc(PEEK_BYTES), 0, PEEK_BYTES, 0);
      head = buffer.subarray(0, bytesRead).toString('latin1');
    } finally {
      await file.close();
    }
  } catch {
    return byName; // Reading it reports the failure, naming the source.
  }
  if (looksLikeParquet(head)) return 'parquet';
  return looksLikeFhir(head) ? 'fhir' : byName;
}

/** Whether a file's first bytes are JSON holding a resourceType: a line of Bulk Data NDJSON, or the start of a Bundle. */
function looksLikeFhir(head: string): boolean {
  const text = head.replace(/^(?:\xef\xbb\xbf)?\s*/, '');
  if (!text.startsWith('{')) return false;
  const line = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  try {
    const first = JSON.parse(line) as Record<string, unknown>;
    return typeof first.resourceType === 'string';
  } catch {
    // A pretty-printed resource: its first line is not a whole object.
    return /"resourceType"\s*:/.test(text);
  }
}

interface Located {
  readonly resource: unknown;
  /** Where it sits in its line or file: '' for the line itself, `entry[3].resource.` in a Bundle. */
  readonly path: string;
}

/** A parsed resource, or the entries of a Bundle with their paths. */
function* resourcesOf(value: unknown): Generator<Located> {
  if (value === null || typeof value !== 'object' || (value as { resourceType?: unknown }).resourceType !== 'Bundle') {
    yield { resource: value, path: '' };
    return;
  }
  const entries = (value as { entry?: unknown }).entry;
  if (entries === undefined) return;
  if (!Array.isArray(entries)) throw new ResourceProblem('entry', 'expected an array');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as { resource?: unknown } | null;
    // An entry that is not an object is reported as the resource at its place.
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) yield { resource: entry, path: `entry[${i}].` };
    else yield { resource: entry.resource, path: `entry[${i}].resource.` };
  }
}

/**
 * Whether a file is one resource a line: its first line is a whole JSON object
 * (ends with "}"), or runs past the bytes looked at (a pretty-printed file
 * starts with a short line such as "{"; a Patient with a photo can fill a long
 * line). Else it is one pretty-printed resource.
 */
function oneResourceALine(head: string): boolean {
  const start = head.trimStart();
  const end = start.indexOf('\n');
  return end < 0 || start.slice(0, end).trimEnd().endsWith('}');
}

/** The parsed JSON values of the file: one per line (streamed), or the whole file when it is one pretty-printed value (read whole). */
async function* jsonValues(name: string, path: string, encoding: 'utf-8' | 'windows-1252'): AsyncGenerator<unknown> {
  let whole = '';
  for await (const chunk of decodeFileStream(name, path, [{ start: 0, end: PEEK_BYTES }], encoding)) whole += chunk;
  if (oneResourceALine(whole)) {
    const cursor: NdjsonCursor = { line: '', controls: false };
    yield* parseNdjson(name, path, encoding, cursor, /$^/);
    return;
  }
  whole = '';
  for await (const chunk of decodeFileStream(name, path, [{ start: 0 }], encoding)) whole += chunk;
  try {
    yield JSON.parse(whole);
  } catch {
    throw new MalformedRowError(name, undefined, 'file is neither one JSON resource a line nor one JSON resource (a Bundle)');
  }
}

/** The flat records of a FHIR source's Patient resources, numbered from 1 in file order. */
async function* patientRecords(name: string, path: string, encoding: 'utf-8' | 'windows-1252'): AsyncGenerator<unknown> {
  let row = 0;
  for await (const value of jsonValues(name, path, encoding)) {
    try {
      for (const { resource, path: at } of resourcesOf(value)) {
        row++;
        yield patientRecord(resource, at);
      }
    } catch (error) {
      // A Bundle without an entry array fails before its first resource is counted.
      if (error instanceof ResourceProblem) throw new InvalidResourceError(name, error.path === 'entry' ? row + 1 : row, error.path, error.problem);
      throw error;
    }
  }
}

/** Reads a FHIR Patient source as the object reader reads NDJSON: the requested columns of each Patient's flat record (patient-record.ts). */
export function readFhirCells(name: string, path: string, columns: readonly string[], encoding: 'utf-8' | 'windows-1252'): AsyncGenerator<CellBatch> {
  return readObjectCells(name, patientRecords(name, path, encoding), columns);
}

/** Every column the source's Patient records fill (checking each resource as the read does). */
export async function patientColumns(name: string, path: string, encoding: 'utf-8' | 'windows-1252'): Promise<Set<string>> {
  const columns = new Set<string>();
  for await (const record of patientRecords(name, path, encoding)) for (const column of Object.keys(record as object)) columns.add(column);
  return columns;
}
