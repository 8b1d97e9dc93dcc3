/**
 * The regimes suite: FEBRL 1-4, the default generated population and every
 * generated data regime (fixtures/src/regimes.ts), each linked with its
 * kinds-only settings at the default threshold, in a process of its own, and
 * one cross-regime table. A case that fails is a row with its error code.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePopulation, REGIME_NAMES } from '@mpi/fixtures';
import type { BenchCase, CaseFailure, CaseResult } from './run-case.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface RegimeSuiteOptions {
  readonly root: string;
  readonly outDir: string;
  /** People per generated data set. */
  readonly people: number;
  readonly seed: number;
  readonly threads: number;
  readonly heapMiB: number;
  /** Only these rows: `febrl` (FEBRL 1-4), `default` (the default population) and regime names. */
  readonly only?: readonly string[];
}

/** One row of the cross-regime table: a case's figures, or its failure. */
export type RegimeRow = { readonly dataSet: string; readonly seconds: number } & ({ readonly result: CaseResult } | { readonly failure: CaseFailure['error'] });

/**
 * A digest of the generator's compiled code: a cached data set is reused only
 * when it was written by the same generator, so the table never mixes old data
 * with new code.
 */
function generatorDigest(): string {
  const dist = dirname(fileURLToPath(import.meta.resolve('@mpi/fixtures')));
  const hash = createHash('sha1');
  for (const file of readdirSync(dist).filter((f) => f.endsWith('.js')).sort()) hash.update(file).update(readFileSync(join(dist, file)));
  return hash.digest('hex').slice(0, 12);
}

/** Generates the regime (or the default population, regime undefined) into the cache unless the same one is there. */
async function dataSet(options: RegimeSuiteOptions, regime: string | undefined, digest: string): Promise<{ dir: string; names: string[] }> {
  const dir = join(options.outDir, 'regimes', `${regime ?? 'default'}-${options.people}-${options.seed}`);
  const stamp = JSON.stringify({ regime: regime ?? 'default', people: options.people, seed: options.seed, generator: digest });
  const stampFile = join(dir, 'stamp.json');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`bench: generating ${regime ?? 'the default population'}, ${options.people} people...\n`);
    await generatePopulation({ people: options.people, seed: options.seed, regime, out: dir });
    writeFileSync(stampFile, stamp);
  }
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.csv') && f !== 'truth.csv')
    .map((f) => f.slice(0, -4))
    .sort();
  return { dir, names };
}

function febrlCases(root: string, threads: number): BenchCase[] {
  const febrl = join(root, 'fixtures/data/febrl');
  const settings = (name: string) => join(root, 'bench/settings', name);
  const dedupe = (n: number): BenchCase => ({
    name: `FEBRL${n} (dedupe)`,
    // dataset1-3 share one header: the FEBRL3 settings (kinds only) fit all three.
    settings: settings('febrl3.json'),
    sources: [{ name: `febrl${n}`, path: join(febrl, `dataset${n}.csv`) }],
    truth: { kind: 'febrl' },
    threads,
  });
  return [
    dedupe(1),
    dedupe(2),
    dedupe(3),
    {
      name: 'FEBRL4 (link)',
      settings: settings('febrl4.json'),
      sources: [
        { name: 'a', path: join(febrl, 'dataset4a.csv') },
        { name: 'b', path: join(febrl, 'dataset4b.csv') },
      ],
      truth: { kind: 'febrl' },
      threads,
    },
  ];
}

/** Runs one case in its own process; a non-zero exit becomes a failure with the case's error code (or the exit status). */
function runCaseProcess(spec: BenchCase, heapMiB: number): RegimeRow {
  const started = performance.now();
  process.stderr.write(`bench: ${spec.name}...\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', `--max-old-space-size=${heapMiB}`, join(here, 'run-case.js'), JSON.stringify({ ...spec, bestThreshold: true, pairSweep: true })], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  const seconds = (performance.now() - started) / 1000;
  const last = (run.stdout ?? '').trim().split('\n').pop() ?? '';
  let parsed: Partial<CaseResult & CaseFailure> = {};
  try {
    parsed = JSON.parse(last) as Partial<CaseResult & CaseFailure>;
  } catch {
    // No JSON: the process died (out of memory, a signal) before it could say why.
  }
  if (run.status === 0 && parsed.records !== undefined) return { dataSet: spec.name, seconds, result: parsed as CaseResult };
  const failure = parsed.error ?? { code: run.signal ? `signal ${run.signal}` : `exit ${run.status}`, message: run.error?.message ?? 'no result' };
  return { dataSet: spec.name, seconds, failure };
}

/** Every case of the suite, in table order: FEBRL 1-4, the default population, then the regimes. */
export async function runRegimeSuite(options: RegimeSuiteOptions): Promise<RegimeRow[]> {
  const digest = generatorDigest();
  const rows: RegimeRow[] = [];
  // A subset (--regimes) keeps a quick check quick; the full table is what a change is judged on.
  const wanted = (name: string) => options.only === undefined || options.only.includes(name);
  for (const spec of febrlCases(options.root, options.threads)) if (wanted('febrl')) rows.push(runCaseProcess(spec, options.heapMiB));
  for (const regime of [undefined, ...REGIME_NAMES]) {
    if (!wanted(regime ?? 'default')) continue;
    const { dir, names } = await dataSet(options, regime, digest);
    const spec: BenchCase = {
      name: regime ?? 'default population',
      settings: join(dir, 'settings.json'),
      sources: names.map((n) => ({ name: n, path: join(dir, `${n}.csv`) })),
      truth: { kind: 'csv', path: join(dir, 'truth.csv') },
      threads: options.threads,
    };
    rows.push(runCaseProcess(spec, options.heapMiB));
  }
  return rows;
}

const fmt = (x: number | undefined, digits = 4) => (x === undefined ? '-' : x.toFixed(digits));
/** A match probability, readable at both ends: 2.0e-4, 0.517, 1-3e-6. */
function probability(p: number): string {
  if (p < 0.001) return p.toExponential(1);
  if (p > 0.999) return p === 1 ? '1' : `1-${(1 - p).toExponential(0)}`;
  return p.toFixed(3);
}
const at = (best: { threshold: number; f1: number } | undefined) => (best ? `${fmt(best.f1)} @ ${probability(best.threshold)}` : '-');

/** The cross-regime table. */
export function formatRegimeTable(rows: readonly RegimeRow[], options: Pick<RegimeSuiteOptions, 'people' | 'seed' | 'threads'>): string {
  const header = ['data set', 'records', 'rec/person', 'cand. pairs', 'PC', 'est. PC', 'precision', 'recall', 'F1', 'B3 F1', 'best F1 clustered*', 'best F1 scored pairs**', 'process s', 'status'];
  const cells = rows.map((row) => {
    if ('failure' in row) return [row.dataSet, ...Array(11).fill('-'), fmt(row.seconds, 1), `FAILED ${row.failure.code}`];
    const r = row.result;
    return [
      row.dataSet,
      String(r.records),
      r.persons ? fmt(r.records / r.persons, 2) : '-',
      String(r.candidatePairs),
      fmt(r.pairCompleteness),
      fmt(r.estimatedPairCompleteness),
      fmt(r.precision),
      fmt(r.recall),
      fmt(r.f1),
      fmt(r.bcubedF1),
      at(r.bestThreshold),
      at(r.bestPairThreshold),
      fmt(row.seconds, 1),
      'ok',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) => c.map((cell, i) => (i === 0 || i === c.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const out = [
    `regimes: generated data sets of ${options.people} people, seed ${options.seed}; ${options.threads} thread(s); kinds-only settings, default threshold (match probability 0.5) and clustering`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
    'rec/person = records / true persons among them. PC = pair completeness of blocking (link mode: pairs across sources); est. PC = the same estimated by link() without the truth. precision, recall, F1 = pairwise, of the groups at the default threshold; B3 F1 = B-cubed F1 of the groups.',
    '*  best F1 clustered: pairwise F1 of the groups re-clustered at each of 15 thresholds (0.001 ... 0.999), the best one chosen WITH the truth.',
    '** best F1 scored pairs: pairwise F1 of the candidate pairs scored at or above a threshold, no clustering, over every distinct score, the best one chosen WITH the truth.',
    '   Both are upper bounds of what a threshold alone could reach on these scores, not headline figures. process s = the case process, start to end (link, writing groups, evaluation, sweeps).',
  ];
  for (const row of rows) if ('failure' in row) out.push(`FAILED ${row.dataSet}: ${row.failure.code}: ${row.failure.message}`);
  return out.join('\n');
}
