// Accuracy and id stability of an index fed incrementally, against one link() of everything:
// (a) the sources one by one (built from the first, each other source added whole), and
// (b) daily batches (built from all sources but the last, the last added in --days batches).
// For each add: the share of previously indexed records whose id changed, and the share in
// identities that merged or split, and whether the add refreshed the model (the index's default
// policy: a new source, or 1.5x the records trained on; `--manual` builds with refreshes only on
// request). Then one requested refreshModel() of the daily index, timed. Run from the repository
// root after `pnpm build`:
//   node bench/index/index-accuracy.mjs [--population DIR] [--days 10] [--threads 2] [--manual]
// Figures: docs/index.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { link } from '../../packages/core/dist/index.js';
import { openPopulation } from './population.mjs';
import { createIndex } from '../../packages/index/dist/index.js';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1];
};
const threads = Number(arg('--threads', 2));
const days = Number(arg('--days', 10));
const population = arg('--population', 'fixtures/population');
const modelRefresh = process.argv.includes('--manual') ? 'manual' : undefined;
const dir = mkdtempSync(join(tmpdir(), 'mpi-index-accuracy-'));
const { settings, lines, source, slice, f1 } = openPopulation(population, dir);
const order = ['ehr', 'lab', 'payer', 'clinic'];
const out = (what, figure) => console.log(`${what.padEnd(60)} ${figure}  [load ${loadavg()[0].toFixed(1)}]`);
const idsOf = (index) => new Map(index.groups().flatMap((g) => g.records.map((r) => [`${r.source}:${r.recordId}`, g.id])));

/** Runs `change` (an add, or a refresh) and reports the id changes against the merges and splits of the batch. */
async function changeAndCount(index, label, change) {
  const before = idsOf(index);
  const clock = performance.now();
  const summary = await change();
  const wall = (performance.now() - clock) / 1000;
  const after = idsOf(index);
  let changed = 0;
  for (const [key, id] of before) if (after.get(key) !== id) changed++;
  const touched = new Set(index.history().filter((e) => e.batch === summary.batch && (e.kind === 'merge' || e.kind === 'split')).flatMap((e) => e.before));
  let inTouched = 0;
  for (const id of before.values()) if (touched.has(id)) inTouched++;
  const share = (n) => `${((100 * n) / before.size).toFixed(2)}%`;
  const s = summary.seconds;
  const refreshed = summary.refresh === undefined ? '' : `; model refreshed (${summary.refresh.trigger}; rules changed ${summary.refresh.rulesChanged}) in ${wall.toFixed(2)} s (train and score ${s.score.toFixed(2)}, cluster ${s.cluster.toFixed(2)}, write ${s.write.toFixed(2)})`;
  out(`  ${label}: ids changed / in merged or split identities`, `${changed} (${share(changed)}) / ${inTouched} (${share(inTouched)}), merged ${summary.merged}, split ${summary.split}${refreshed}`);
  return summary;
}
const addAndCount = (index, label, input) => changeAndCount(index, label, () => index.add(input));

const linked = f1((await link({ settings, sources: order.map(source), threads })).groups());
out('pairwise F1 of one link() of all four sources', linked.toFixed(4));

// (a) Sources one by one.
const oneByOne = await createIndex(join(dir, 'sources.db'), { settings, sources: [source(order[0])], threads, modelRefresh });
for (const name of order.slice(1)) await addAndCount(oneByOne, `add ${name}`, [source(name)]);
const sourcesF1 = f1(oneByOne.groups());
out('pairwise F1: sources one by one / one link()', `${sourcesF1.toFixed(4)} / ${linked.toFixed(4)} (difference ${(sourcesF1 - linked).toFixed(4)})`);
oneByOne.close();

// (b) Daily batches of the last source.
const last = order.at(-1);
const daily = await createIndex(join(dir, 'daily.db'), { settings, sources: order.slice(0, -1).map(source), threads, modelRefresh });
const size = lines(last).length - 1;
for (let day = 0; day < days; day++) {
  const [from, to] = [Math.floor((day * size) / days), Math.floor(((day + 1) * size) / days)];
  await addAndCount(daily, `day ${day + 1} (${to - from} ${last} records)`, [slice(last, from, to)]);
}
const dailyF1 = f1(daily.groups());
out(`pairwise F1: ${last} in ${days} daily batches / one link()`, `${dailyF1.toFixed(4)} / ${linked.toFixed(4)} (difference ${(dailyF1 - linked).toFixed(4)})`);
// A requested refresh of the daily index: its time, what it changed, and F1 after it.
await changeAndCount(daily, `refreshModel() of the daily index (${daily.size.records} records)`, () => daily.refreshModel());
out('pairwise F1 after it / one link()', `${f1(daily.groups()).toFixed(4)} / ${linked.toFixed(4)}`);
daily.close();
rmSync(dir, { recursive: true, force: true });
