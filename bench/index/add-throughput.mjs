// Adds into an index file already built: clinic records in batches of 1 (the first change after
// opening, which reads what the index holds), 1 and 1,000, timed one by one. The file is changed:
// run it on a copy. From the repository root after `pnpm build`:
//   node --max-old-space-size=12000 bench/index/add-throughput.mjs POPULATION_DIR INDEX_FILE
// POPULATION_DIR holds clinic.csv (records the index does not hold yet). Figures: docs/index.md.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openIndex } from '../../packages/index/dist/index.js';

const [pop, file] = process.argv.slice(2);
const lines = readFileSync(`${pop}/clinic.csv`, 'utf8').trim().split('\n');
const header = lines[0].split(',');
const recordOf = (line) => Object.fromEntries(header.map((column, i) => [column, line.split(',')[i]]));
let clock = performance.now();
const index = openIndex(file, { threads: 2, modelRefresh: 'manual' });
console.log(JSON.stringify({ step: 'open', seconds: Number(((performance.now() - clock) / 1000).toFixed(2)), records: index.size.records }));
let next = 1;
for (const [step, size] of [['first add after opening', 1], ['add 1', 1], ['add 1,000', 1000]]) {
  const batch = lines.slice(next, next + size).map(recordOf);
  next += size;
  const load = loadavg()[0];
  clock = performance.now();
  const summary = await index.add({ clinic: batch });
  const seconds = (performance.now() - clock) / 1000;
  const stages = Object.fromEntries(Object.entries(summary.seconds).map(([stage, s]) => [stage, Number(s.toFixed(2))]));
  console.log(JSON.stringify({ step, seconds: Number(seconds.toFixed(2)), recordsPerSecond: Math.round(size / seconds), stages, load1m: Number(load.toFixed(2)) }));
}
index.close();
