// `mpi match`: ranked candidate identities for query records, nothing written to the index.
import type { Command } from 'commander';
import { addSourceOptions, checkOutputPaths, positiveInt, probability, withSourceOptions } from '@mpi/core/cli';
import { openIndex } from '../identity-index.js';
import { readRawRecords } from '../raw-records.js';
import { writeCsv } from './csv-files.js';
import { percentile, printSummary } from './summary.js';

/** Adds `mpi match` to the program. */
export function addMatchCommand(program: Command): void {
  addSourceOptions(program.command('match').description('find the identities query records belong to (queries are not added)'))
    .requiredOption('--index <file>', 'index file')
    .requiredOption('--out <file>', 'matches CSV: source,record_id,rank,identity_id,match_probability,match_weight,grade')
    .option('--count <k>', 'candidates per query (default 5)', positiveInt)
    .option('--min-probability <p>', 'leave out candidates below this match probability', probability)
    .option('--threads <n>', 'most worker threads', positiveInt)
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => {
      checkOutputPaths(
        [{ option: '--out', path: opts.out }],
        [{ option: '--index', path: opts.index }, ...(opts.source as { path: string }[]).map((s) => ({ option: '--source', path: s.path }))],
      );
      const index = openIndex(opts.index, { threads: opts.threads });
      try {
        const started = performance.now();
        const queries = await readRawRecords(withSourceOptions(opts.source, opts), index.settings);
        const rows: string[][] = [];
        const latencies: number[] = [];
        // One query at a time, so the latencies are those a caller of match() sees.
        for (const query of queries) {
          const t = performance.now();
          const candidates = await index.match({ source: query.source, record: query.data }, { count: opts.count ?? 5, minProbability: opts.minProbability ?? 0 });
          latencies.push(performance.now() - t);
          candidates.forEach((c, rank) =>
            rows.push([query.source, query.recordId, String(rank + 1), c.identityId, String(c.matchProbability), String(c.matchWeight), c.grade]),
          );
        }
        await writeCsv(opts.out, '--out', ['source', 'record_id', 'rank', 'identity_id', 'match_probability', 'match_weight', 'grade'], rows);
        latencies.sort((a, b) => a - b);
        const latencyMs = { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) };
        const seconds = (performance.now() - started) / 1000;
        printSummary(
          Boolean(opts.json),
          { queries: queries.length, candidates: rows.length, seconds, latencyMs },
          `queries ${queries.length}, candidates ${rows.length}, latency ms p50 ${latencyMs.p50.toFixed(1)} p95 ${latencyMs.p95.toFixed(1)} p99 ${latencyMs.p99.toFixed(1)}`,
        );
      } finally {
        index.close();
      }
    });
}
