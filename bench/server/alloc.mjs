// Bytes allocated per `$match`, and young-generation collections per 1,000 queries: the server's
// tail at 200 req/s is those collections (docs/server.md), so this counts what a query allocates.
// In one process, no network: the index opened from its file, then N queries three ways:
//   index.match()                       the clinic Patients mapped to index records beforehand
//   index.match() + identity views      what the $match route reads under its lock
//   $match through the server           createFhirServer's real route via Fastify's inject (parsing,
//                                       auth, audit, golden views, serialization; no socket)
// Allocation is measured with V8's GC profiler (node:v8 GCProfiler): bytes allocated in a window =
// heap used at its end - heap used at its start + what every collection inside it freed (each
// collection's heap used before - after). It counts every allocation that was made, whether it died
// young or not, without sampling. Typed arrays' memory (ArrayBuffer backing stores) lives outside the V8
// heap and is counted apart: the growth of process.memoryUsage().arrayBuffers over 40 calls in which no
// collection ran. Run from the repository root after `pnpm build`:
//   node --expose-gc bench/server/alloc.mjs --population DIR [--queries 1000] [--threads 2]
//   node --expose-gc bench/server/alloc.mjs --people 50000 ...   (generates a FHIR population in a temporary directory)
// DIR is `pnpm fixtures generate --people N --out DIR --format fhir`; the index is built once into
// DIR/server-bench.db (the file bench/server/load.mjs builds and reuses). Figures: docs/server.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GCProfiler } from 'node:v8';
import { fhirSettings } from '../../packages/core/dist/index.js';
import { createIndex, openIndex } from '../../packages/index/dist/index.js';
import { createFhirServer, JsonlAuditLog } from '../../packages/server/dist/index.js';
import { matchInput } from '../../packages/server/dist/fhir/patient-input.js';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const repoRoot = resolve(import.meta.dirname, '../..');
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
};
const queries = Number(option('--queries', 1000));
const threads = Number(option('--threads', 2));
const out = (what, figure) => console.log(`${what.padEnd(44)} ${figure}`);

let population = option('--population', undefined);
if (population === undefined) {
  population = mkdtempSync(join(tmpdir(), 'mpi-alloc-'));
  const generated = spawnSync(process.execPath, [join(repoRoot, 'fixtures/dist/cli.js'), 'generate', '--people', option('--people', '50000'), '--out', population, '--format', 'fhir'], { stdio: 'inherit' });
  if (generated.status !== 0) throw new Error('generating the population failed');
}
const indexPath = join(population, 'server-bench.db');
if (!existsSync(indexPath)) {
  const sources = ['ehr', 'lab', 'payer'].map((name) => ({ name, path: join(population, `${name}.ndjson`) }));
  (await createIndex(indexPath, { settings: await fhirSettings(sources), sources, threads })).close();
}
const index = openIndex(indexPath, { threads });
const app = createFhirServer({ index, tokens: [{ name: 'bench', token: 'alloc-bench-token-0123456789' }], audit: new JsonlAuditLog('/dev/null'), logger: false, limits: { requestsPerMinute: 1e9 } });
await app.ready(); // reads the index's table and blocking keys (the first match)
out(`index (${index.size.records} records) opened, keys read`, `heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);

// The clinic Patients (not indexed), as the route reads them.
const patients = readFileSync(join(population, 'clinic.ndjson'), 'utf8')
  .split('\n', queries)
  .filter((line) => line !== '')
  .map((line) => {
    const { id: _id, ...patient } = JSON.parse(line);
    return patient;
  });
const records = patients.map((patient) => matchInput({ ...patient, id: 'match-query' }, index.settings, 'fhir'));
const bodies = patients.map((resource) => JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource }] }));
const headers = { authorization: 'Bearer alloc-bench-token-0123456789', 'content-type': 'application/fhir+json' };
const options = { count: 5, minProbability: index.thresholds.review };

const ways = {
  'index.match()': async (q) => index.match(records[q % records.length], options),
  'index.match() + identity views': async (q) => (await index.match(records[q % records.length], options)).map((c) => index.identity(c.identityId)),
  '$match through the server (inject)': async (q) => {
    const response = await app.inject({ method: 'POST', url: '/Patient/$match', headers, payload: bodies[q % bodies.length] });
    if (response.statusCode !== 200) throw new Error(`$match answered ${response.statusCode}`);
  },
};

/** Allocation, collections and time of `n` calls of `run`, after a full collection. */
async function measure(run, n) {
  globalThis.gc();
  const profiler = new GCProfiler();
  profiler.start();
  const start = process.memoryUsage();
  const started = performance.now();
  for (let q = 0; q < n; q++) await run(q);
  const ms = performance.now() - started;
  const end = process.memoryUsage();
  const { statistics } = profiler.stop();
  let heap = end.heapUsed - start.heapUsed;
  for (const { beforeGC, afterGC } of statistics) {
    heap += beforeGC.heapStatistics.usedHeapSize - afterGC.heapStatistics.usedHeapSize;
  }
  const scavenged = statistics.filter((s) => s.gcType === 'Scavenge');
  const scavenges = scavenged.map((s) => s.cost / 1000).sort((a, b) => a - b);
  // What survived the young generation into the old one: a scavenge's cost is the copying of survivors.
  const oldSpace = (at) => at.heapSpaceStatistics.find((space) => space.spaceName === 'old_space').spaceUsedSize;
  const promoted = scavenged.reduce((sum, s) => sum + oldSpace(s.afterGC) - oldSpace(s.beforeGC), 0) / Math.max(1, scavenged.length);
  const others = statistics.filter((s) => s.gcType !== 'Scavenge').map((s) => `${s.gcType} ${(s.cost / 1000).toFixed(1)} ms`);
  return { heap: heap / n, scavenges, promoted, others, ms: ms / n };
}

/**
 * ArrayBuffer backing stores (typed arrays' memory, outside the V8 heap) allocated per call: the
 * growth of process.memoryUsage().arrayBuffers over `n` calls right after a full collection, kept
 * only when no collection ran in between (nothing was freed); undefined otherwise.
 */
async function arrayBufferBytes(run, n) {
  globalThis.gc();
  // The collection frees backing stores on a background thread: let it finish before the first reading.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const profiler = new GCProfiler();
  profiler.start();
  const before = process.memoryUsage().arrayBuffers;
  for (let q = 0; q < n; q++) await run(q);
  const after = process.memoryUsage().arrayBuffers;
  return profiler.stop().statistics.length === 0 ? (after - before) / n : undefined;
}

for (const [way, run] of Object.entries(ways)) {
  await measure(run, Math.min(200, queries)); // warm-up: compiled code, caches
  const m = await measure(run, queries);
  const pause = (p) => (m.scavenges.length === 0 ? 0 : m.scavenges[Math.min(m.scavenges.length - 1, Math.floor(p * m.scavenges.length))]).toFixed(1);
  const buffers = await arrayBufferBytes(run, 40);
  out(way, `${(m.heap / 1024).toFixed(1)} KB heap + ${buffers === undefined ? '(not measured: a collection ran)' : (buffers / 1024).toFixed(1)} KB of ArrayBuffers per query; ` +
    `${((m.scavenges.length * 1000) / queries).toFixed(1)} scavenges / 1000 queries (pause p50 ${pause(0.5)}, max ${pause(1)} ms, ${(m.promoted / 1024).toFixed(0)} KB promoted each), ` +
    `other collections: ${m.others.length === 0 ? 'none' : m.others.join(', ')}; ${m.ms.toFixed(2)} ms per query`);
}
await app.close();
index.close();
