// Where DuckDB's memory and spill go, statement by statement, when it applies
// a trained model to a folder of sources (the CSV files of settings.json's sources),
// or trains one first (without --model):
// node bench/dist/sql-spill.js --data DIR [--model model.json] --memory-limit 1GB [--sources ehr,lab,payer,clinic] [--threads 2] [--max-spill 40GB] [--block-records N] [--out groups.csv] [--database work.duckdb]
// Each statement of the job prints its time, DuckDB's peak memory and peak
// spill while it ran (sampled every 100 ms), and what stayed spilled after it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { writeGroupsCsv, type Settings } from '@mpi/core';
import { linkInDuckDb } from '@mpi/core/advanced';
import { parseModel } from '@mpi/scoring';

const opts = new Command()
  .requiredOption('--data <dir>', 'folder with settings.json and one CSV file per source')
  .option('--model <file>', 'the trained model to apply (default: train one in DuckDB)')
  .requiredOption('--memory-limit <size>', "DuckDB's memory_limit")
  .option('--sources <names>', 'the sources in order, each DIR/<name>.csv', 'ehr,lab,payer,clinic')
  .option('--threads <n>', 'threads', Number, 2)
  .option('--max-spill <size>', "DuckDB's max_temp_directory_size")
  .option('--out <file>', 'write the groups file too')
  .option('--block-records <n>', 'records per block of the comparison join (default: from the memory limit)', Number)
  .option('--temp-dir <dir>', 'spill folder (default: a new one in the data folder, removed after)')
  .option('--database <file>', "DuckDB's tables in this database file (compressed) instead of in memory; removed after")
  .parse()
  .opts();

const settings = JSON.parse(readFileSync(join(opts.data, 'settings.json'), 'utf8')) as Settings;
const sources = (opts.sources as string).split(',').map((name) => ({ name, path: join(opts.data, `${name}.csv`) }));
const spill = opts.tempDir ?? mkdtempSync(join(opts.data, '.duckdb-spill-'));
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0).padStart(7);
const started = performance.now();
try {
  const result = await linkInDuckDb({
    settings,
    sources,
    ...(opts.model ? { model: parseModel(readFileSync(opts.model, 'utf8')) } : {}),
    threads: opts.threads,
    duckdb: {
      threads: opts.threads,
      memoryLimit: opts.memoryLimit,
      tempDirectory: spill,
      ...(opts.database ? { path: opts.database } : {}),
      ...(opts.maxSpill ? { maxTempDirectorySize: opts.maxSpill } : {}),
      ...(opts.blockRecords ? { blockRecords: opts.blockRecords } : {}),
      onStatement: (p) =>
        process.stdout.write(`${p.seconds.toFixed(1).padStart(7)} s ${mib(p.peakMemoryBytes)} MiB peak memory ${mib(p.peakSpillBytes)} MiB peak spill ${mib(p.spillBytesAfter)} MiB spilled after  ${p.step}\n`),
    },
  });
  if (opts.out) await writeGroupsCsv(result, opts.out);
  const s = result.seconds;
  process.stdout.write(
    `records ${result.table.size}, pairs ${result.run.pairCount}, ${result.run.rounds} propagation rounds; read ${s.read.toFixed(1)} s, load ${s.load.toFixed(1)} s, SQL ${s.sql.toFixed(1)} s (${Math.round(result.run.pairCount / s.sql)} pairs/s), split ${s.cluster.toFixed(1)} s; ${((performance.now() - started) / 1000).toFixed(1)} s end to end, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\n`,
  );
} finally {
  if (opts.tempDir === undefined) rmSync(spill, { recursive: true, force: true });
  if (opts.database) for (const file of [opts.database, `${opts.database}.wal`]) rmSync(file, { force: true });
}
