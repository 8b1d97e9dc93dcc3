// The SQL engine against the in-process engine on a generated population:
// node bench/dist/sql-engine.js --people N [--seed S] [--threads T] [--memory-limit 2GB]
// The in-process link() trains the model and writes its groups; a child
// process then applies the saved model in embedded DuckDB (its own peak RSS),
// and the two groups files are compared row by row.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { link, writeGroupsCsv, type Settings } from '@mpi/core';
import { linkInDuckDb } from '@mpi/core/advanced';
import { generatePopulation } from '@mpi/fixtures';
import { parseModel, serializeModel } from '@mpi/scoring';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const opts = new Command()
  .requiredOption('--people <n>', 'generated people (about 1.7 records each)', Number)
  .option('--seed <s>', 'generator seed', Number, 1)
  .option('--threads <n>', 'threads for either engine', Number, 2)
  .option('--memory-limit <size>', "DuckDB's memory_limit")
  .option('--duckdb-child <dir>', '(internal) apply the model of <dir> in DuckDB and print JSON')
  .parse()
  .opts();

const dir = join(root, 'bench/out/sql-engine', `people-${opts.people}-seed-${opts.seed}`);
const sourcesOf = () => ['ehr', 'lab', 'payer', 'clinic'].map((name) => ({ name, path: join(dir, `${name}.csv`) }));
const settingsOf = () => JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as Settings;
const seconds = (since: number) => (performance.now() - since) / 1000;
// CPU seconds (user + system, every thread of the process: DuckDB's too). On a shared
// machine the wall clock also counts the time spent waiting for a core; CPU time does not.
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

if (opts.duckdbChild) {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const model = parseModel(readFileSync(join(dir, 'model.json'), 'utf8'));
  const result = await linkInDuckDb({
    settings: settingsOf(),
    sources: sourcesOf(),
    model,
    threads: opts.threads,
    duckdb: { threads: opts.threads, tempDirectory: join(dir, 'duckdb-spill'), ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}) },
  });
  await writeGroupsCsv(result, join(dir, 'groups-duckdb.csv'));
  process.stdout.write(
    JSON.stringify({ records: result.table.size, pairs: result.run.pairCount, rounds: result.run.rounds, seconds: result.seconds, total: seconds(started), cpu: cpuSeconds(cpuStarted), maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n',
  );
} else {
  if (!existsSync(join(dir, 'settings.json'))) await generatePopulation({ people: opts.people, seed: opts.seed, sources: 4, out: dir });
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await link({ settings: settingsOf(), sources: sourcesOf(), threads: opts.threads });
  const inProcess = seconds(started);
  const inProcessCpu = cpuSeconds(cpuStarted);
  writeFileSync(join(dir, 'model.json'), serializeModel(result.model));
  await writeGroupsCsv(result, join(dir, 'groups-in-process.csv'));
  const stage = (name: string) => result.timings.find((t) => t.stage === name)?.seconds ?? 0;
  const child = JSON.parse(
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--people', String(opts.people), '--seed', String(opts.seed), '--threads', String(opts.threads), ...(opts.memoryLimit ? ['--memory-limit', opts.memoryLimit] : []), '--duckdb-child', dir], { encoding: 'utf8', maxBuffer: 1 << 20 }),
  );
  const a = readFileSync(join(dir, 'groups-in-process.csv'), 'utf8').split('\n');
  const b = readFileSync(join(dir, 'groups-duckdb.csv'), 'utf8').split('\n');
  const differing = a.filter((line, i) => line !== b[i]).length + Math.abs(a.length - b.length);
  const pairs = result.pairs.count;
  const inProcessPairSeconds = stage('block') + stage('compare') + stage('score');
  const sqlPairSeconds = child.seconds.sql;
  process.stdout.write(
    [
      `records ${result.table.size}, candidate pairs ${pairs} (DuckDB ${child.pairs}), groups rows differing: ${differing}`,
      `in-process: ${inProcess.toFixed(1)} s end to end, ${inProcessCpu.toFixed(1)} CPU s (read ${stage('read').toFixed(1)}, block+compare+score ${inProcessPairSeconds.toFixed(1)} s = ${Math.round(pairs / inProcessPairSeconds)} pairs/s, train ${stage('train').toFixed(1)}, cluster ${stage('cluster').toFixed(1)})`,
      `duckdb:     ${child.total.toFixed(1)} s end to end, ${child.cpu.toFixed(1)} CPU s (read ${child.seconds.read.toFixed(1)}, load ${child.seconds.load.toFixed(1)}, SQL ${sqlPairSeconds.toFixed(1)} s = ${Math.round(child.pairs / sqlPairSeconds)} pairs/s, split ${child.seconds.cluster.toFixed(1)}; ${child.rounds} propagation rounds); peak RSS ${Math.round(child.maxRssMiB)} MiB`,
    ].join('\n') + '\n',
  );
}
