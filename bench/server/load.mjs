// Load test of the FHIR server: POST /Patient/$match at a fixed request rate for
// a fixed time, over loopback only, against `mpi serve` in a process of its own
// (the load generator runs in this one). Queries are the clinic source's
// Patients, which the index does not hold (it is built from ehr, lab and payer).
// Run from the repository root after `pnpm build`:
//   node bench/server/load.mjs --people 20000 [--rate 200] [--duration 30] [--connections 8] [--threads 2]
//   node bench/server/load.mjs --population DIR ...   (DIR: `pnpm fixtures generate --people N --out DIR --format fhir`;
//                                                     the index is built once into DIR/server-bench.db and reused)
// Figures: docs/server.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { fhirSettings } from '../../packages/core/dist/index.js';
import { createIndex } from '../../packages/index/dist/index.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
};
const rate = Number(option('--rate', 200));
const duration = Number(option('--duration', 30));
const connections = Number(option('--connections', 8));
const threads = Number(option('--threads', 2));
const out = (what, figure) => console.log(`${what.padEnd(56)} ${figure}`);

const run = (args) =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`${args.join(' ')} exited ${code}`))));
  });

let population = option('--population', undefined);
if (population === undefined) {
  population = mkdtempSync(join(tmpdir(), 'mpi-server-load-'));
  await run([join(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', option('--people', '20000'), '--out', population, '--format', 'fhir']);
}
const indexPath = join(population, 'server-bench.db');
if (!existsSync(indexPath)) {
  const started = performance.now();
  const sources = ['ehr', 'lab', 'payer'].map((name) => ({ name, path: join(population, `${name}.ndjson`) }));
  const index = await createIndex(indexPath, { settings: await fhirSettings(sources), sources, threads });
  out(`index built (${index.size.records} records)`, `${((performance.now() - started) / 1000).toFixed(1)} s`);
  index.close();
}

// Up to 2,000 query bodies, sent in turn.
const bodies = readFileSync(join(population, 'clinic.ndjson'), 'utf8')
  .split('\n', 2000)
  .filter((line) => line !== '')
  .map((line) => {
    const { id: _id, ...patient } = JSON.parse(line);
    return JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }] });
  });

const token = randomBytes(24).toString('hex');
const server = spawn(
  process.execPath,
  [join(repoRoot, 'packages/cli/dist/cli.js'), 'serve', '--index', indexPath, '--port', '0', '--host', '127.0.0.1', '--rate-limit', '100000000', '--threads', String(threads), '--audit', join(population, 'server-bench.audit.jsonl')],
  { env: { ...process.env, MPI_API_TOKEN: token }, stdio: ['ignore', 'ignore', 'pipe'] },
);
const openStarted = performance.now();
const url = await new Promise((found, fail) => {
  let stderr = '';
  server.stderr.on('data', (chunk) => {
    stderr += chunk;
    const match = /listening on (\S+)/.exec(stderr);
    if (match !== null) found(match[1]);
  });
  server.on('exit', (code) => fail(new Error(`mpi serve exited ${code}: ${stderr}`)));
});
out('mpi serve: index opened and its keys read, listening', `${((performance.now() - openStarted) / 1000).toFixed(1)} s`);
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };

try {
  // 50 requests warm the server before the timed run (it read the index's blocking keys before listening).
  for (let i = 0; i <= 50; i++) {
    const started = performance.now();
    const response = await fetch(`${url}/Patient/$match`, { method: 'POST', headers, body: bodies[i % bodies.length] });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`warm-up $match answered ${response.status}`);
    if (i === 0) out('first $match', `${(performance.now() - started).toFixed(0)} ms`);
  }
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    overallRate: rate,
    duration,
    requests: [{ method: 'POST', path: '/Patient/$match', headers, setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
  });
  out(`$match at ${rate} req/s offered, ${duration} s, ${connections} connections`, `${result.requests.average.toFixed(1)} req/s answered (${result.requests.total} requests)`);
  out('latency p50 / p90 / p99 / max', `${result.latency.p50} / ${result.latency.p90} / ${result.latency.p99} / ${result.latency.max} ms`);
  out('errors / timeouts / non-2xx', `${result.errors} / ${result.timeouts} / ${result.non2xx}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((done) => server.on('exit', done));
}
