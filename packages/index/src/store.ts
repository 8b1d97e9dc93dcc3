// The index's one file: a SQLite database (docs/decisions/index-storage.md says why SQLite).
// Every change of an add, removal or decision is written in one transaction.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { MpiError } from '@mpi/core';

/**
 * Version of the file's layout, checked when an index is opened. 2 stores the
 * scored pairs by record version; 3 the normalized table and blocking keys
 * (stored-table.ts). An older file is upgraded when opened (and then refused by
 * code that knows only its old format, which would not keep the stored pairs
 * and table in step with the records).
 */
export const FORMAT_VERSION = 3;
/** Formats this code opens (older ones are upgraded in place). */
const READABLE_FORMATS = ['1', '2', '3'];

/** The stored table's parts (see stored-table.ts): one row per part, written whole by the change that alters them. */
const TABLE_PARTS = 'CREATE TABLE IF NOT EXISTS table_parts (name TEXT PRIMARY KEY, value BLOB NOT NULL);';

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records (
  source TEXT NOT NULL, record_id TEXT NOT NULL, data TEXT NOT NULL, identity_id TEXT NOT NULL, batch INTEGER NOT NULL, seq INTEGER,
  PRIMARY KEY (source, record_id)) WITHOUT ROWID;
CREATE INDEX records_identity ON records (identity_id);
CREATE TABLE identities (
  id TEXT PRIMARY KEY, created_batch INTEGER NOT NULL, created_order INTEGER NOT NULL,
  status TEXT NOT NULL, alias_of TEXT) WITHOUT ROWID;
CREATE TABLE decisions (
  source_l TEXT NOT NULL, record_id_l TEXT NOT NULL, source_r TEXT NOT NULL, record_id_r TEXT NOT NULL,
  decision TEXT NOT NULL, batch INTEGER NOT NULL,
  PRIMARY KEY (source_l, record_id_l, source_r, record_id_r)) WITHOUT ROWID;
CREATE TABLE review (
  source_l TEXT NOT NULL, record_id_l TEXT NOT NULL, source_r TEXT NOT NULL, record_id_r TEXT NOT NULL,
  match_weight REAL NOT NULL, match_probability REAL NOT NULL, explanation TEXT NOT NULL);
CREATE INDEX review_left ON review (source_l, record_id_l);
CREATE INDEX review_right ON review (source_r, record_id_r);
CREATE TABLE pair_chunks (chunk INTEGER PRIMARY KEY, batch INTEGER NOT NULL, left BLOB NOT NULL, right BLOB NOT NULL, weights BLOB NOT NULL);
CREATE TABLE batches (batch INTEGER PRIMARY KEY, time TEXT NOT NULL, kind TEXT NOT NULL, records INTEGER NOT NULL);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY, batch INTEGER NOT NULL, time TEXT NOT NULL, kind TEXT NOT NULL,
  records TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL, evidence TEXT NOT NULL);
CREATE TABLE event_identities (identity_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (identity_id, seq)) WITHOUT ROWID;
${TABLE_PARTS}
`;

/** A stored record as an open index holds it: its source, record id and identity (its raw fields stay in the file). */
export interface RecordEntry {
  readonly source: string;
  readonly recordId: string;
  readonly identityId: string;
  /** The number of this version of the record in the stored pairs (undefined in a file from before pairs were stored). */
  readonly seq: number | undefined;
}

/** A stored record: its source, record id, raw field text and identity. */
export interface StoredRecord {
  readonly source: string;
  readonly recordId: string;
  /** The raw text of the columns the settings read, by column name. */
  readonly data: Record<string, string>;
  readonly identityId: string;
  /** The number of this version of the record in the stored pairs (undefined in a file from before pairs were stored). */
  readonly seq: number | undefined;
}

/** Stored pairs: each record by its version number (StoredRecord.seq), with the pair's match weight. */
export interface PairChunkRow {
  readonly left: Uint32Array;
  readonly right: Uint32Array;
  readonly weights: Float64Array;
}

/** Rows of (source, record_id, data, identity_id, seq) as records. */
function storedRecords(rows: unknown[]): StoredRecord[] {
  return (rows as [string, string, string, string, number | null][]).map(([source, recordId, data, identityId, seq]) => ({
    source,
    recordId,
    data: JSON.parse(data) as Record<string, string>,
    identityId,
    seq: seq ?? undefined,
  }));
}

/** A typed array's bytes as a blob. */
const blob = (array: Uint32Array | Float64Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);

/** A blob's bytes as a typed array (copied: a blob need not be aligned). */
function typed<T extends Uint32Array | Float64Array>(bytes: Buffer, kind: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new kind(copy);
}

/** An identity's row: when it was created (for "the older id survives"), and whether it is active, merged into another, or gone. */
export interface IdentityRow {
  readonly id: string;
  readonly createdBatch: number;
  readonly createdOrder: number;
  readonly status: 'active' | 'merged' | 'removed';
  readonly aliasOf: string | null;
}

export interface DecisionRow {
  readonly sourceL: string;
  readonly recordIdL: string;
  readonly sourceR: string;
  readonly recordIdR: string;
  readonly decision: 'match' | 'non-match';
}

export interface ReviewRow {
  readonly sourceL: string;
  readonly recordIdL: string;
  readonly sourceR: string;
  readonly recordIdR: string;
  readonly matchWeight: number;
  readonly matchProbability: number;
  readonly explanation: string;
}

export interface EventRow {
  readonly seq: number;
  readonly batch: number;
  readonly time: string;
  readonly kind: string;
  readonly records: string;
  readonly before: string;
  readonly after: string;
  readonly evidence: string;
}

/** The SQLite file under an index, opened for reading and writing. */
export class IndexStore {
  private constructor(readonly db: Database.Database) {}

  /** Prepared statements by SQL, prepared once (a match looks up members on every query). */
  private readonly statements = new Map<string, Database.Statement>();

  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) this.statements.set(sql, (prepared = this.db.prepare(sql)));
    return prepared;
  }

  /** Creates the file (refusing an existing one) with the schema. */
  static create(path: string): IndexStore {
    if (existsSync(path)) throw new MpiError('INDEX_EXISTS', 'the index file already exists; open it, or remove it to build a new one');
    const db = new Database(path);
    const store = new IndexStore(db);
    store.configure();
    db.exec(SCHEMA);
    store.setMeta('format', String(FORMAT_VERSION));
    return store;
  }

  /** Opens an existing index file. */
  static open(path: string): IndexStore {
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true });
    } catch {
      throw new MpiError('INDEX_NOT_FOUND', 'no index file at the given path');
    }
    const store = new IndexStore(db);
    store.configure();
    const format = store.meta('format');
    if (format === undefined || !READABLE_FORMATS.includes(format)) {
      db.close();
      throw new MpiError('INDEX_FORMAT', `the file is not an index of format ${FORMAT_VERSION}`);
    }
    store.upgrade();
    return store;
  }

  /**
   * WAL with synchronous=FULL: a committed transaction is on disk when commit
   * returns, and a process killed mid-transaction leaves none of it (the WAL
   * is replayed up to the last commit when the file is opened again).
   */
  private configure(): void {
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = OFF');
    this.db.pragma('busy_timeout = 10000');
  }

  /**
   * What a file of format 1 lacks: the review queue's lookups by record, the
   * stored pairs and each record's version; of format 2: the stored table
   * (written by the next change, or the first match: stored-table.ts).
   */
  private upgrade(): void {
    if (this.meta('format') === String(FORMAT_VERSION)) return;
    this.db.exec(TABLE_PARTS);
    this.db.exec('CREATE INDEX IF NOT EXISTS review_left ON review (source_l, record_id_l); CREATE INDEX IF NOT EXISTS review_right ON review (source_r, record_id_r);');
    this.db.exec('CREATE TABLE IF NOT EXISTS pair_chunks (chunk INTEGER PRIMARY KEY, batch INTEGER NOT NULL, left BLOB NOT NULL, right BLOB NOT NULL, weights BLOB NOT NULL);');
    const columns = this.db.prepare('PRAGMA table_info(records)').all() as { name: string }[];
    if (!columns.some((column) => column.name === 'seq')) this.db.exec('ALTER TABLE records ADD COLUMN seq INTEGER');
    this.setMeta('format', String(FORMAT_VERSION));
  }

  close(): void {
    this.db.close();
  }

  /**
   * Runs `write` in one transaction, all of it committed or none. IMMEDIATE:
   * the write lock is taken at the start, so two writers never interleave
   * (the second waits up to busy_timeout, then fails).
   */
  transaction<T>(write: () => T): T {
    return this.db.transaction(write).immediate();
  }

  meta(key: string): string | undefined {
    return (this.statement('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.statement('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /**
   * Every record without its raw fields (what an index holds in memory while
   * open), in (source, record id) order, one row at a time: a million rows
   * made at once, then copied into the index's map, were seconds of garbage
   * collection on open. A source's name is one string for all its records.
   */
  *recordEntries(): Generator<RecordEntry> {
    let name = '';
    for (const [source, recordId, identityId, seq] of this.statement('SELECT source, record_id, identity_id, seq FROM records ORDER BY source, record_id').raw().iterate() as Iterable<
      [string, string, string, number | null]
    >) {
      if (source !== name) name = source;
      yield { source: name, recordId, identityId, seq: seq ?? undefined };
    }
  }

  /** A record's raw fields as stored (JSON text), or undefined when it is not indexed. */
  recordText(source: string, recordId: string): string | undefined {
    return this.statement('SELECT data FROM records WHERE source = ? AND record_id = ?').pluck().get(source, recordId) as string | undefined;
  }

  /** Replaces the stored table (inside a change's transaction): its manifest in meta `table`, its parts (see stored-table.ts). */
  putTable(manifest: string, parts: ReadonlyMap<string, Buffer>): void {
    this.statement('DELETE FROM table_parts').run();
    const insert = this.statement('INSERT INTO table_parts (name, value) VALUES (?, ?)');
    for (const [name, value] of parts) insert.run(name, value);
    this.setMeta('table', manifest);
  }

  /** Records put (added or updated) by batches after `batch`, with their raw fields. */
  recordsSince(batch: number): StoredRecord[] {
    return storedRecords(this.statement('SELECT source, record_id, data, identity_id, seq FROM records WHERE batch > ?').raw().all(batch));
  }

  /** Records added, updated or removed by the batches after `batch`. */
  recordsChangedSince(batch: number): number {
    return this.statement('SELECT coalesce(sum(records), 0) FROM batches WHERE batch > ?').pluck().get(batch) as number;
  }

  /** Drops the stored table (an index left without records). */
  clearTable(): void {
    this.statement('DELETE FROM table_parts').run();
    this.statement("DELETE FROM meta WHERE key = 'table'").run();
  }

  /** The stored table's parts by name. */
  tableParts(): Map<string, Buffer> {
    const rows = this.statement('SELECT name, value FROM table_parts').raw().all() as [string, Buffer][];
    return new Map(rows);
  }

  records(): StoredRecord[] {
    return storedRecords(this.statement('SELECT source, record_id, data, identity_id, seq FROM records ORDER BY source, record_id').raw().all());
  }

  setSeq(source: string, recordId: string, seq: number): void {
    this.statement('UPDATE records SET seq = ? WHERE source = ? AND record_id = ?').run(seq, source, recordId);
  }

  /** Adds pairs to the stored ones (an add's new pairs). */
  addPairs(batch: number, chunk: PairChunkRow): void {
    this.statement('INSERT INTO pair_chunks (batch, left, right, weights) VALUES (?, ?, ?, ?)').run(batch, blob(chunk.left), blob(chunk.right), blob(chunk.weights));
  }

  /** Drops every stored pair (before storing all of them again). */
  clearPairs(): void {
    this.statement('DELETE FROM pair_chunks').run();
  }

  pairChunks(): PairChunkRow[] {
    const rows = this.statement('SELECT left, right, weights FROM pair_chunks ORDER BY chunk').raw().all() as [Buffer, Buffer, Buffer][];
    return rows.map(([left, right, weights]) => ({ left: typed(left, Uint32Array), right: typed(right, Uint32Array), weights: typed(weights, Float64Array) }));
  }

  /** The records of an identity, in (source, record id) order. */
  membersOf(identityId: string): { source: string; recordId: string }[] {
    const rows = this.statement('SELECT source, record_id FROM records WHERE identity_id = ? ORDER BY source, record_id').raw().all(identityId) as [string, string][];
    return rows.map(([source, recordId]) => ({ source, recordId }));
  }

  recordCount(): number {
    return (this.statement('SELECT count(*) AS n FROM records').get() as { n: number }).n;
  }

  putRecord(source: string, recordId: string, data: Record<string, string>, identityId: string, batch: number, seq: number): void {
    this.statement(
        'INSERT INTO records (source, record_id, data, identity_id, batch, seq) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (source, record_id) DO UPDATE SET data = excluded.data, identity_id = excluded.identity_id, batch = excluded.batch, seq = excluded.seq',
      )
      .run(source, recordId, JSON.stringify(data), identityId, batch, seq);
  }

  setIdentityOf(source: string, recordId: string, identityId: string): void {
    this.statement('UPDATE records SET identity_id = ? WHERE source = ? AND record_id = ?').run(identityId, source, recordId);
  }

  deleteRecord(source: string, recordId: string): void {
    this.statement('DELETE FROM records WHERE source = ? AND record_id = ?').run(source, recordId);
  }

  identities(): IdentityRow[] {
    const rows = this.statement('SELECT id, created_batch, created_order, status, alias_of FROM identities').raw().all() as [string, number, number, IdentityRow['status'], string | null][];
    return rows.map(([id, createdBatch, createdOrder, status, aliasOf]) => ({ id, createdBatch, createdOrder, status, aliasOf }));
  }

  /** One identity's row, or undefined for an id never issued. */
  identity(id: string): IdentityRow | undefined {
    const row = this.statement('SELECT id, created_batch, created_order, status, alias_of FROM identities WHERE id = ?').raw().get(id) as
      | [string, number, number, IdentityRow['status'], string | null]
      | undefined;
    return row === undefined ? undefined : { id: row[0], createdBatch: row[1], createdOrder: row[2], status: row[3], aliasOf: row[4] };
  }

  activeIdentityCount(): number {
    return this.statement("SELECT count(*) FROM identities WHERE status = 'active'").pluck().get() as number;
  }

  putIdentity(row: IdentityRow): void {
    this.statement(
        'INSERT INTO identities (id, created_batch, created_order, status, alias_of) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (id) DO UPDATE SET status = excluded.status, alias_of = excluded.alias_of',
      )
      .run(row.id, row.createdBatch, row.createdOrder, row.status, row.aliasOf);
  }

  /** The active identity an id resolves to, following merge aliases; undefined for an unknown id. */
  resolve(id: string): string | undefined {
    const lookup = this.statement('SELECT status, alias_of FROM identities WHERE id = ?');
    let current = id;
    for (let hops = 0; hops < 1_000_000; hops++) {
      const row = lookup.get(current) as { status: string; alias_of: string | null } | undefined;
      if (row === undefined) return undefined;
      if (row.status !== 'merged' || row.alias_of === null) return current;
      current = row.alias_of;
    }
    return undefined;
  }

  /** Every id that resolves to `id` (itself and the identities merged into it, transitively). */
  aliasesOf(id: string): string[] {
    const rows = this.statement(
        'WITH RECURSIVE chain(id) AS (SELECT ? UNION SELECT identities.id FROM identities JOIN chain ON identities.alias_of = chain.id) SELECT id FROM chain',
      )
      .raw()
      .all(id) as [string][];
    return rows.map(([alias]) => alias);
  }

  decisions(): DecisionRow[] {
    const rows = this.statement('SELECT source_l, record_id_l, source_r, record_id_r, decision FROM decisions').raw().all() as [string, string, string, string, DecisionRow['decision']][];
    return rows.map(([sourceL, recordIdL, sourceR, recordIdR, decision]) => ({ sourceL, recordIdL, sourceR, recordIdR, decision }));
  }

  putDecision(decision: DecisionRow, batch: number): void {
    this.statement(
        'INSERT INTO decisions (source_l, record_id_l, source_r, record_id_r, decision, batch) VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT DO UPDATE SET decision = excluded.decision, batch = excluded.batch',
      )
      .run(decision.sourceL, decision.recordIdL, decision.sourceR, decision.recordIdR, decision.decision, batch);
  }

  replaceReview(rows: readonly ReviewRow[]): void {
    this.statement('DELETE FROM review').run();
    this.addReview(rows);
  }

  /** Adds pairs to the review queue (an add's new pairs: the others stay as they were). */
  addReview(rows: readonly ReviewRow[]): void {
    const insert = this.statement('INSERT INTO review VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const row of rows) insert.run(row.sourceL, row.recordIdL, row.sourceR, row.recordIdR, row.matchWeight, row.matchProbability, row.explanation);
  }

  /** Takes the pairs naming a record out of the review queue (it was removed, or changed and scored again). */
  deleteReviewOf(source: string, recordId: string): void {
    this.statement('DELETE FROM review WHERE source_l = ? AND record_id_l = ?').run(source, recordId);
    this.statement('DELETE FROM review WHERE source_r = ? AND record_id_r = ?').run(source, recordId);
  }

  /** Takes a decided pair out of the review queue (either orientation). */
  deleteReviewPair(decision: DecisionRow): void {
    const remove = this.statement('DELETE FROM review WHERE source_l = ? AND record_id_l = ? AND source_r = ? AND record_id_r = ?');
    remove.run(decision.sourceL, decision.recordIdL, decision.sourceR, decision.recordIdR);
    remove.run(decision.sourceR, decision.recordIdR, decision.sourceL, decision.recordIdL);
  }

  /** Pairs in the review queue. */
  reviewCount(): number {
    return (this.statement('SELECT COUNT(*) FROM review').pluck().get() as number) ?? 0;
  }

  review(): ReviewRow[] {
    const rows = this.statement('SELECT * FROM review ORDER BY match_probability DESC, source_l, record_id_l, source_r, record_id_r')
      .raw()
      .all() as [string, string, string, string, number, number, string][];
    return rows.map(([sourceL, recordIdL, sourceR, recordIdR, matchWeight, matchProbability, explanation]) => ({
      sourceL,
      recordIdL,
      sourceR,
      recordIdR,
      matchWeight,
      matchProbability,
      explanation,
    }));
  }

  /** Starts a batch: its number (1, 2, ...), recorded with its time and kind. */
  newBatch(kind: string, records: number, time: string): number {
    const last = (this.statement('SELECT max(batch) AS n FROM batches').get() as { n: number | null }).n ?? 0;
    this.statement('INSERT INTO batches (batch, time, kind, records) VALUES (?, ?, ?, ?)').run(last + 1, time, kind, records);
    return last + 1;
  }

  batchCount(): number {
    return (this.statement('SELECT count(*) AS n FROM batches').get() as { n: number }).n;
  }

  addEvent(event: Omit<EventRow, 'seq'>, identityIds: readonly string[]): void {
    const { lastInsertRowid } = this.statement('INSERT INTO events (batch, time, kind, records, before, after, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(event.batch, event.time, event.kind, event.records, event.before, event.after, event.evidence);
    const link = this.statement('INSERT OR IGNORE INTO event_identities (identity_id, seq) VALUES (?, ?)');
    for (const id of new Set(identityIds)) link.run(id, lastInsertRowid);
  }

  /** Events in order; those naming any of `identityIds` when given. */
  events(identityIds?: readonly string[]): EventRow[] {
    if (identityIds === undefined) return this.statement('SELECT * FROM events ORDER BY seq').all() as EventRow[];
    const placeholders = identityIds.map(() => '?').join(', ');
    return this.db.prepare(`SELECT * FROM events WHERE seq IN (SELECT seq FROM event_identities WHERE identity_id IN (${placeholders})) ORDER BY seq`)
      .all(...identityIds) as EventRow[];
  }
}
