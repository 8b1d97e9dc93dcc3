// match() latency against an index file already built: open it, warm up (the first match reads the
// table and the blocking keys), then N clinic records queried with a new id: latency percentiles,
// the pairs each query scored, and the garbage collections during the queries. From the repository
// root after `pnpm build` (with --cpu-prof to profile):
//   node bench/index/match-latency.mjs POPULATION_DIR INDEX_FILE [N]
// Figures: docs/index.md.
import { readFileSync } from 'node:fs';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { openIndex } from '../../packages/index/dist/index.js';
const [pop, file, n = '200'] = process.argv.slice(2);
const queries = Number(n);
let t = performance.now();
const index = openIndex(file, { threads: 2 });
console.log('open', ((performance.now() - t) / 1000).toFixed(2), 's', index.size.records);
const rows = readFileSync(`${pop}/clinic.csv`, 'utf8').trim().split('\n');
const header = rows[0].split(',');
const recordOf = (line) => Object.fromEntries(header.map((c, i) => [c, line.split(',')[i]]));
t = performance.now();
await index.match({ source: 'clinic', record: { ...recordOf(rows[1]), mrn: 'warm' } }, { count: 1 });
console.log('first match (table + keys)', ((performance.now() - t) / 1000).toFixed(2), 's');
// Top-1 against the truth: a query's right answer is the identity of any indexed record of the same
// person (the clinic records are queried with a new id, so they need not be in the index); queries
// whose person has no indexed record are not counted.
const personOf = new Map();
const indexedOf = new Map();
for (const line of readFileSync(`${pop}/truth.csv`, 'utf8').trim().split('\n').slice(1)) {
  const [source, recordId, person] = line.split(',');
  personOf.set(`${source}:${recordId}`, person);
  if (source === 'clinic') continue;
  if (!indexedOf.has(person)) indexedOf.set(person, []);
  indexedOf.get(person).push({ source, recordId });
}
const gcs = [];
const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push(e); });
obs.observe({ entryTypes: ['gc'] });
const lat = []; const sizes = [];
let top1 = 0;
let known = 0;
for (let q = 0; q < queries; q++) {
  const rec = recordOf(rows[1 + Math.floor((q * (rows.length - 1)) / queries)]);
  const s = performance.now();
  const [best] = await index.match({ source: 'clinic', record: { ...rec, mrn: `query-${q}` } }, { count: 1 });
  const ms = performance.now() - s;
  lat.push(ms); sizes.push([ms, index.lastMatchPairs]);
  const refs = indexedOf.get(personOf.get(`clinic:${rec.mrn}`)) ?? [];
  const want = refs.map((ref) => index.identityOf(ref)).find((id) => id !== undefined);
  if (want !== undefined) {
    known++;
    if (best?.identityId === want) top1++;
  }
}
await new Promise((r) => setTimeout(r, 50));
obs.disconnect();
const sorted = [...lat].sort((a, b) => a - b);
const p = (x) => sorted[Math.min(sorted.length - 1, Math.ceil((x / 100) * sorted.length) - 1)].toFixed(1);
console.log(`latency over ${queries}: p50 ${p(50)} p95 ${p(95)} p99 ${p(99)} max ${sorted.at(-1).toFixed(1)} ms; top-1 ${top1}/${known} (queries whose person is indexed)`);
console.log('slowest (ms, pairs):', sizes.sort((a, b) => b[0] - a[0]).slice(0, 8).map(([a, b]) => `${a.toFixed(1)}/${b}`).join(' '));
const pairsSorted = sizes.map((s) => s[1]).sort((a, b) => a - b);
console.log('pairs per query p50/p99/max', pairsSorted[Math.floor(pairsSorted.length / 2)], pairsSorted[Math.floor(pairsSorted.length * 0.99)], pairsSorted.at(-1));
console.log('gc during queries:', gcs.length, 'total', gcs.reduce((s, e) => s + e.duration, 0).toFixed(1), 'ms, max', Math.max(0, ...gcs.map((e) => e.duration)).toFixed(1), 'ms, kinds', JSON.stringify(gcs.reduce((m, e) => ((m[e.detail?.kind ?? e.kind] = (m[e.detail?.kind ?? e.kind] ?? 0) + 1), m), {})));
index.close();
