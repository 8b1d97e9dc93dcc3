// Time from opening an index file to its first answer: openIndex(), then the first match() (which
// needs the normalized table and the blocking keys), then a second match (the steady state), and
// the file's size. One open per run; run it three times and take the medians. From the repository
// root after `pnpm build`:
//   node --max-old-space-size=12000 bench/index/open-latency.mjs POPULATION_DIR INDEX_FILE
// POPULATION_DIR holds clinic.csv (the query is its first record, with a new id). Figures: docs/index.md.
import { readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openIndex } from '../../packages/index/dist/index.js';

const [pop, file] = process.argv.slice(2);
const lines = readFileSync(`${pop}/clinic.csv`, 'utf8').split('\n', 3);
const header = lines[0].split(',');
const record = Object.fromEntries(header.map((column, i) => [column, lines[1].split(',')[i]]));
const load = loadavg()[0].toFixed(2);
let clock = performance.now();
const index = openIndex(file, { threads: 2, modelRefresh: 'manual' });
const open = (performance.now() - clock) / 1000;
clock = performance.now();
const [first] = await index.match({ source: 'clinic', record: { ...record, mrn: 'open-latency-1' } }, { count: 1 });
const firstMatch = (performance.now() - clock) / 1000;
clock = performance.now();
await index.match({ source: 'clinic', record: { ...record, mrn: 'open-latency-2' } }, { count: 1 });
const second = performance.now() - clock;
console.log(
  JSON.stringify({
    records: index.size.records,
    openSeconds: Number(open.toFixed(2)),
    firstMatchSeconds: Number(firstMatch.toFixed(2)),
    openToFirstMatchSeconds: Number((open + firstMatch).toFixed(2)),
    secondMatchMs: Number(second.toFixed(1)),
    fileMiB: Number((statSync(file).size / 2 ** 20).toFixed(1)),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    load1m: Number(load),
    top1: first?.identityId ?? null,
  }),
);
index.close();
