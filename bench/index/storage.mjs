// Storage candidates for the identity index, measured on what an MPI index does:
// many small transactions (one record and its event, committed), a large batch,
// and reopening a large index to load it. Run from the repository root:
//   node bench/index/storage.mjs [--rows 1000000] [--single 500]
// Figures and the decision: docs/decisions/index-storage.md.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(new URL('../../packages/index/package.json', import.meta.url));
const Database = require('better-sqlite3');
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'));

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const ROWS = arg('--rows', 1_000_000);
const SINGLE = arg('--single', 500);
const BATCH = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'mpi-storage-'));

// A record as the index keeps it: source, record id, identity id, the raw fields as JSON.
const record = (i) => ['ehr', `R${i}`, `P${(i >> 1).toString(16).padStart(16, '0')}`, JSON.stringify({ id: `R${i}`, first: 'Name' + (i % 5000), last: 'Family' + (i % 20000), dob: '1970-01-01', zip: String(10000 + (i % 9000)) })];
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const summary = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `p50 ${pct(sorted, 50).toFixed(3)} ms, p99 ${pct(sorted, 99).toFixed(3)} ms`;
};
const results = [];
const report = (engine, what, figure) => {
  results.push({ engine, what, figure });
  console.log(`${engine.padEnd(8)} ${what.padEnd(44)} ${figure}`);
};

// SQLite: WAL journal, synchronous=FULL (each commit is on disk before it returns).
{
  const path = join(dir, 'sqlite.db');
  let db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE records (source TEXT, record_id TEXT, identity_id TEXT, data TEXT, PRIMARY KEY (source, record_id)) WITHOUT ROWID');
  db.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, kind TEXT, detail TEXT)');
  const insert = db.prepare('INSERT INTO records VALUES (?, ?, ?, ?)');
  const event = db.prepare('INSERT INTO events (kind, detail) VALUES (?, ?)');
  const addOne = db.transaction((row) => {
    insert.run(...row);
    event.run('create', row[2]);
  });
  const times = [];
  for (let i = 0; i < SINGLE; i++) {
    const t = performance.now();
    addOne(record(ROWS + i));
    times.push(performance.now() - t);
  }
  report('sqlite', `single-record transaction (${SINGLE})`, summary(times));
  const addMany = db.transaction((from, to) => {
    for (let i = from; i < to; i++) insert.run(...record(i));
  });
  let t = performance.now();
  addMany(0, BATCH);
  report('sqlite', `batch of ${BATCH} rows, one transaction`, `${((performance.now() - t) / 1000).toFixed(2)} s`);
  for (let from = BATCH; from < ROWS; from += BATCH) addMany(from, Math.min(ROWS, from + BATCH));
  const lookup = db.prepare('SELECT identity_id FROM records WHERE source = ? AND record_id = ?');
  const lookups = [];
  for (let i = 0; i < SINGLE; i++) {
    const t0 = performance.now();
    lookup.get('ehr', `R${(i * 7919) % ROWS}`);
    lookups.push(performance.now() - t0);
  }
  report('sqlite', `point lookup by (source, record id)`, summary(lookups));
  db.close();
  t = performance.now();
  db = new Database(path);
  let n = 0;
  for (const row of db.prepare('SELECT source, record_id, identity_id, data FROM records').raw().iterate()) n += row[3].length > 0 ? 1 : 0;
  report('sqlite', `open + load ${n} rows`, `${((performance.now() - t) / 1000).toFixed(2)} s`);
  db.close();
  report('sqlite', 'file size', `${(statSync(path).size / 2 ** 20).toFixed(0)} MiB`);
}

// DuckDB: its own WAL; each statement outside BEGIN is a transaction.
{
  const path = join(dir, 'duck.db');
  let instance = await DuckDBInstance.create(path);
  let conn = await instance.connect();
  await conn.run('CREATE TABLE records (source VARCHAR, record_id VARCHAR, identity_id VARCHAR, data VARCHAR, PRIMARY KEY (source, record_id))');
  await conn.run('CREATE SEQUENCE seq; CREATE TABLE events (seq BIGINT DEFAULT nextval(\'seq\'), kind VARCHAR, detail VARCHAR)');
  const insert = await conn.prepare('INSERT INTO records VALUES ($1, $2, $3, $4)');
  const event = await conn.prepare('INSERT INTO events (kind, detail) VALUES ($1, $2)');
  const times = [];
  for (let i = 0; i < SINGLE; i++) {
    const row = record(ROWS + i);
    const t = performance.now();
    await conn.run('BEGIN');
    insert.bind(row);
    await insert.run();
    event.bind(['create', row[2]]);
    await event.run();
    await conn.run('COMMIT');
    times.push(performance.now() - t);
  }
  report('duckdb', `single-record transaction (${SINGLE})`, summary(times));
  const appendMany = async (from, to) => {
    await conn.run('BEGIN');
    const appender = await conn.createAppender('records');
    for (let i = from; i < to; i++) {
      for (const value of record(i)) appender.appendVarchar(value);
      appender.endRow();
    }
    appender.closeSync();
    await conn.run('COMMIT');
  };
  let t = performance.now();
  await appendMany(0, BATCH);
  report('duckdb', `batch of ${BATCH} rows, one transaction (appender)`, `${((performance.now() - t) / 1000).toFixed(2)} s`);
  for (let from = BATCH; from < ROWS; from += BATCH) await appendMany(from, Math.min(ROWS, from + BATCH));
  const lookup = await conn.prepare('SELECT identity_id FROM records WHERE source = $1 AND record_id = $2');
  const lookups = [];
  for (let i = 0; i < SINGLE; i++) {
    const t0 = performance.now();
    lookup.bind(['ehr', `R${(i * 7919) % ROWS}`]);
    await lookup.runAndReadAll();
    lookups.push(performance.now() - t0);
  }
  report('duckdb', `point lookup by (source, record id)`, summary(lookups));
  conn.closeSync();
  instance.closeSync();
  t = performance.now();
  instance = await DuckDBInstance.create(path);
  conn = await instance.connect();
  const reader = await conn.runAndReadAll('SELECT source, record_id, identity_id, data FROM records');
  const n = reader.getRows().length;
  report('duckdb', `open + load ${n} rows`, `${((performance.now() - t) / 1000).toFixed(2)} s`);
  conn.closeSync();
  instance.closeSync();
  report('duckdb', 'file size', `${(statSync(path).size / 2 ** 20).toFixed(0)} MiB`);
}
rmSync(dir, { recursive: true, force: true });
