import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * What one statement cost: how long it ran, the most memory DuckDB's buffer
 * manager held and the most it had spilled to its temporary folder while it
 * ran (sampled), and what stayed spilled after it. Spilling happens inside a
 * statement (a join's partitions, a sort's runs), so the figure after it is not
 * the statement's peak.
 */
export interface StatementProfile {
  readonly step: string;
  readonly seconds: number;
  readonly peakMemoryBytes: number;
  readonly peakSpillBytes: number;
  readonly spillBytesAfter: number;
}

/** How often a statement's memory and spill are sampled. */
const SAMPLE_MS = 100;

/** DuckDB's memory in use and bytes in its temporary files, read on a connection of their own. */
async function usage(monitor: DuckDBConnection): Promise<{ memory: number; spill: number }> {
  const [memory, spill] = (
    await monitor.runAndReadAll(
      'SELECT (SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()), (SELECT coalesce(sum(size), 0) FROM duckdb_temporary_files())',
    )
  ).getRows()[0];
  return { memory: Number(memory), spill: Number(spill) };
}

/**
 * Runs `statement` while a second connection of the same database samples
 * duckdb_memory() and duckdb_temporary_files() (a connection answers while
 * another runs a statement).
 */
export async function profiled(monitor: DuckDBConnection, step: string, statement: () => Promise<unknown>): Promise<StatementProfile> {
  const started = performance.now();
  let peakMemoryBytes = 0;
  let peakSpillBytes = 0;
  let sampling: Promise<void> = Promise.resolve();
  const sample = () =>
    usage(monitor).then(({ memory, spill }) => {
      peakMemoryBytes = Math.max(peakMemoryBytes, memory);
      peakSpillBytes = Math.max(peakSpillBytes, spill);
    });
  const timer = setInterval(() => {
    // One sample at a time: a slow answer under load must not pile queries up.
    sampling = sampling.then(sample);
  }, SAMPLE_MS);
  try {
    await statement();
  } finally {
    clearInterval(timer);
    await sampling;
  }
  const seconds = (performance.now() - started) / 1000;
  const after = await usage(monitor);
  return { step, seconds, peakMemoryBytes: Math.max(peakMemoryBytes, after.memory), peakSpillBytes: Math.max(peakSpillBytes, after.spill), spillBytesAfter: after.spill };
}
