// The identity index on the bundled population (fixtures/population, 4 sources):
// build, adds of 1 and 1,000 records and of a whole source, id stability on an
// add, accuracy after incremental adds against one link() of everything, and
// match latency. Run from the repository root after `pnpm build`:
//   node bench/index/index-bench.mjs [--threads 2] [--queries 50] [--population DIR] [--no-f1]
// (adds the clinic source in batches of 1, 1,000, 100,000 when it has that many, and the rest;
// then opens the file again and updates one record)
// (--population: a generated population, `pnpm fixtures generate --people N --out DIR`).
// Figures: docs/index.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { link } from '../../packages/core/dist/index.js';
import { openPopulation } from './population.mjs';
import { createIndex, openIndex } from '../../packages/index/dist/index.js';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const threads = arg('--threads', 2);
const queryCount = arg('--queries', 50);
const dir = mkdtempSync(join(tmpdir(), 'mpi-index-bench-'));
const populationAt = process.argv.indexOf('--population');
const population = populationAt < 0 ? 'fixtures/population' : process.argv[populationAt + 1];
const { settings, lines, source, slice, f1 } = openPopulation(population, dir);
const time = async (work) => {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
};
// The host is shared: each figure is printed with the 1-minute load average it ran under.
const out = (what, figure) => console.log(`${what.padEnd(64)} ${figure}  [load ${loadavg()[0].toFixed(1)}]`);

const clinic = lines('clinic').length - 1;
const clinicHeader = lines('clinic')[0].split(',');
const recordOf = (line) => Object.fromEntries(clinicHeader.map((column, i) => [column, line.split(',')[i]]));
// A frozen model: the incremental add path is what this measures (clinic, a new source, would
// otherwise trigger a model refresh on its first add; index-accuracy.mjs times refreshes).
let [index, buildSeconds] = await time(() => createIndex(join(dir, 'i.db'), { settings, sources: ['ehr', 'lab', 'payer'].map(source), threads, modelRefresh: 'manual' }));
out(`build from ehr+lab+payer (${index.size.records} records)`, `${buildSeconds.toFixed(2)} s`);

// Id stability on adding a whole source's records in batches: 1, 1,000, 100,000 (when the source has
// that many more), the rest.
const cuts = [0, 1, 1001, ...(clinic > 101001 ? [101001] : []), clinic];
for (const [from, to] of cuts.slice(1).map((to, i) => [cuts[i], to])) {
  const before = new Map(index.groups().flatMap((g) => g.records.map((r) => [`${r.source}:${r.recordId}`, g.id])));
  const [summary, seconds] = await time(() => index.add([slice('clinic', from, to)]));
  const after = new Map(index.groups().flatMap((g) => g.records.map((r) => [`${r.source}:${r.recordId}`, g.id])));
  let changed = 0;
  for (const [key, id] of before) if (after.get(key) !== id) changed++;
  // Records of identities that merged into another or split.
  const touched = new Set(index.history().filter((e) => e.batch === summary.batch && (e.kind === 'merge' || e.kind === 'split')).flatMap((e) => e.before));
  let inTouched = 0;
  for (const id of before.values()) if (touched.has(id)) inTouched++;
  out(`add ${to - from} clinic records into ${before.size}`, `${seconds.toFixed(2)} s, ${((to - from) / seconds).toFixed(1)} records/s (${Object.entries(summary.seconds).map(([stage, s]) => `${stage} ${s.toFixed(2)}`).join(', ')})`);
  out(`  previously indexed records whose id changed`, `${changed} of ${before.size} (${((100 * changed) / before.size).toFixed(2)}%)`);
  out(`  previously indexed records in identities that merged or split`, `${inTouched} (${((100 * inTouched) / before.size).toFixed(2)}%), merged ${summary.merged}, split ${summary.split}`);
}

// Opened again from its file: the first change reads the stored pairs (an update of one record here).
index.close();
let reopened;
const [, openSeconds] = await time(async () => (reopened = openIndex(join(dir, 'i.db'), { threads })));
const first = recordOf(lines('clinic')[1]);
const [updateSummary, updateSeconds] = await time(() => reopened.add({ clinic: [{ ...first, phone: '555-0100' }] }));
out('open the index file again', `${openSeconds.toFixed(2)} s`);
out('first change after opening: update 1 record', `${updateSeconds.toFixed(2)} s (${Object.entries(updateSummary.seconds).map(([stage, s]) => `${stage} ${s.toFixed(2)}`).join(', ')}), ${reopened.lastScoredPairs} pairs scored`);
index = reopened;

// --no-f1 skips the link() of everything (minutes on a population of a million records).
if (!process.argv.includes('--no-f1')) {
  const linked = await link({ settings, sources: ['clinic', 'ehr', 'lab', 'payer'].map(source), threads });
  out('pairwise F1: index after incremental adds / one link() of all 4', `${f1(index.groups()).toFixed(4)} / ${f1(linked.groups()).toFixed(4)}`);
}

// Match: records of the clinic source queried again (each finds its own identity when top-1 is right).
const rows = lines('clinic');
const header = rows[0].split(',');
// The first match after a change reads the index's blocking keys: timed on its own.
const [, firstSeconds] = await time(() => index.match({ source: 'clinic', record: { ...recordOf(rows[1]), mrn: 'query-first' } }, { count: 1 }));
out('first match after the adds (reads the blocking keys)', `${(firstSeconds * 1000).toFixed(0)} ms`);
const latencies = [];
let top1 = 0;
for (let q = 0; q < queryCount; q++) {
  const values = rows[1 + Math.floor((q * (rows.length - 1)) / queryCount)].split(',');
  const record = Object.fromEntries(header.map((column, i) => [column, values[i]]));
  const started = performance.now();
  const [best] = await index.match({ source: 'clinic', record: { ...record, mrn: `query-${q}` } }, { count: 1 });
  latencies.push(performance.now() - started);
  if (best?.identityId === index.identityOf({ source: 'clinic', recordId: record.mrn })) top1++;
}
latencies.sort((a, b) => a - b);
const p = (x) => latencies[Math.min(latencies.length - 1, Math.ceil((x / 100) * latencies.length) - 1)].toFixed(0);
out(`match latency over ${queryCount} queries (index of ${index.size.records} records)`, `p50 ${p(50)} ms, p95 ${p(95)} ms, p99 ${p(99)} ms`);
out('match top-1: the query\'s own identity ranked first', `${top1} of ${queryCount}`);
index.close();
rmSync(dir, { recursive: true, force: true });
