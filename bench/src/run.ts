#!/usr/bin/env node
/**
 * The benchmark harness: `pnpm bench` runs the FEBRL suite, a generated
 * multi-source population and the comparison kernels, and prints a table and JSON.
 * `pnpm bench --settings S.json --source A=a.csv ... [--truth truth.csv]` runs the
 * same report on your own data. Each pipeline case runs in its own process so
 * that its peak RSS is its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { generatePopulation, REGIME_NAMES } from '@mpi/fixtures';
import { runKernelBench, type KernelResult } from './kernels.js';
import { formatRegimeTable, runRegimeSuite, type RegimeRow } from './regimes.js';
import type { BenchCase, CaseResult } from './run-case.js';
import type { ScoringStageResult, ScoringStageSpec } from './scoring-stage.js';
import { formatTable } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
// FEBRL 3 and 4 ship in the repo with their licence (fixtures/data/febrl/README.md).
const febrl = resolve(root, 'fixtures/data/febrl');
const outDir = resolve(root, 'bench/out');

/** How each case is run: repeats (the run with the median pipeline time is kept) and the heap of its process. */
interface RunOptions {
  readonly repeat: number;
  readonly heapMiB: number;
}

/** Runs a bench script in a process of its own and returns the JSON of its last output line. */
function runScript<T>(script: string, spec: unknown, heapMiB: number): T {
  const stdout = execFileSync(process.execPath, ['--expose-gc', `--max-old-space-size=${heapMiB}`, join(here, script), JSON.stringify(spec)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

function runOnce(spec: BenchCase, heapMiB: number): CaseResult {
  const started = performance.now();
  const result = runScript<CaseResult>('run-case.js', spec, heapMiB);
  // Process wall time: node start-up, module loading and accuracy scoring on top of the pipeline.
  return { ...result, processSeconds: Number(((performance.now() - started) / 1000).toFixed(3)) };
}

/**
 * Runs each case `repeat` times, each run in its own process, in rounds (every
 * case once, then every case again): the host's speed drifts by up to 30% within
 * minutes, and consecutive runs of one case let a slow spell fall on that case
 * alone. Keeps each case's run with the median pipeline time (the faster middle
 * one for an even count; a real run, not a mix of runs), with every run's
 * pipeline seconds and compare pairs/s beside it.
 */
function runCases(specs: readonly BenchCase[], { repeat, heapMiB }: RunOptions): CaseResult[] {
  const runs = specs.map((): CaseResult[] => []);
  for (let i = 0; i < repeat; i++) {
    specs.forEach((spec, k) => {
      process.stderr.write(`bench: ${spec.name} (${spec.threads} thread${spec.threads > 1 ? 's' : ''})${repeat > 1 ? `, round ${i + 1} of ${repeat}` : ''}...\n`);
      runs[k].push(runOnce(spec, heapMiB));
    });
  }
  return runs.map((caseRuns) => {
    const sorted = caseRuns.slice().sort((a, b) => a.pipelineSeconds - b.pipelineSeconds);
    const median = sorted[(sorted.length - 1) >> 1];
    if (repeat === 1) return median;
    return {
      ...median,
      pipelineSecondsRuns: caseRuns.map((r) => Number(r.pipelineSeconds.toFixed(3))),
      comparePairsPerSecondRuns: caseRuns.map((r) => r.comparePairsPerSecond),
    };
  });
}

function febrlCases(threads: number): BenchCase[] {
  const settings = (name: string) => join(root, 'bench/settings', name);
  const cases: BenchCase[] = [];
  for (const national of [true, false]) {
    const suffix = national ? '' : '-no-national-id';
    const label = national ? 'with national id' : 'without national id';
    cases.push({
      name: `FEBRL3 dedupe, ${label}`,
      settings: settings(`febrl3${suffix}.json`),
      sources: [{ name: 'febrl3', path: join(febrl, 'dataset3.csv') }],
      truth: { kind: 'febrl' },
      threads,
      bestThreshold: true,
    });
    cases.push({
      name: `FEBRL4 link, ${label}`,
      settings: settings(`febrl4${suffix}.json`),
      sources: [
        { name: 'a', path: join(febrl, 'dataset4a.csv') },
        { name: 'b', path: join(febrl, 'dataset4b.csv') },
      ],
      truth: { kind: 'febrl' },
      threads,
      bestThreshold: true,
    });
  }
  return cases;
}

async function generated(people: number, sources: number, seed: number): Promise<{ dir: string; names: string[]; seconds?: number; recordsPerSecond?: number }> {
  const dir = join(outDir, `population-${people}-${sources}-${seed}`);
  let seconds: number | undefined;
  let recordsPerSecond: number | undefined;
  if (!existsSync(join(dir, 'truth.csv'))) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`bench: generating ${people} people across ${sources} sources...\n`);
    const summary = await generatePopulation({ people, sources, seed, out: dir });
    seconds = summary.seconds;
    recordsPerSecond = summary.recordsPerSecond;
  }
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.csv') && f !== 'truth.csv')
    .map((f) => f.slice(0, -4))
    .sort();
  return { dir, names, seconds, recordsPerSecond };
}

function populationCase(name: string, population: { dir: string; names: string[] }, threads: number): BenchCase {
  return {
    name,
    settings: join(population.dir, 'settings.json'),
    sources: population.names.map((n) => ({ name: n, path: join(population.dir, `${n}.csv`) })),
    truth: { kind: 'csv', path: join(population.dir, 'truth.csv') },
    threads,
    bestThreshold: false,
  };
}

/** People per generated data set of the regimes suite (many-per-person makes about 10 records each). */
const REGIME_PEOPLE = 10_000;

/** Peer figures as stated in the accuracy issue (measured by the team on this machine), for side-by-side reading. */
const PEERS = [
  { name: 'peer: fastLink (R), FEBRL4, no national id', f1: 0.9985 },
  { name: 'peer: fastLink (R), FEBRL3 grouped, no national id', f1: 0.9733 },
  { name: 'peer: recordlinkage ECM, FEBRL4, no national id', f1: 0.991 },
  { name: 'peer: recordlinkage ECM, FEBRL3, no national id', f1: 0.979 },
  { name: 'peer: Splink notebook (best threshold), FEBRL4', f1: 0.9998 },
  { name: 'peer: Splink notebook (best threshold), FEBRL3', f1: 0.995 },
];

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .option('--suite <names>', 'comma-separated: febrl, generated, kernels, generation, scale, stage, regimes', 'febrl,generated,kernels,generation')
    .option('--settings <file>', 'your settings JSON (runs your data instead of the suites)')
    .option('--source <NAME=FILE>', 'your source; repeat', (v: string, prev: string[] = []) => [...prev, v])
    .option('--truth <file>', 'truth CSV (source,record_id,person_id) for accuracy figures')
    .option('--threads <list>', 'thread counts to run, e.g. 1,2', '2')
    .option('--people <n>', 'people in the generated population (about 1.7 records per person)', '60000')
    .option('--scale <list>', `people counts for the scale suite (about 1.7 records per person); with the regimes suite, people per generated data set (default ${REGIME_PEOPLE})`, '60000,600000')
    .option('--regimes <names>', 'with --suite regimes, only these rows: febrl, default and regime names, comma-separated')
    .option('--seed <n>', 'with --suite regimes, the seed of the generated data sets (a second seed tells a real difference from noise)', '1')
    .option('--repeat <n>', 'runs of each case, in rounds over the cases; the run with the median pipeline time is reported (stage suite: rounds)', '1')
    .option('--heap <MiB>', 'V8 heap of each case process (10M records need about 12000)', '8192')
    .parse();
  const opts = program.opts();
  const run: RunOptions = { repeat: Number(opts.repeat), heapMiB: Number(opts.heap) };
  if (!Number.isInteger(run.repeat) || run.repeat < 1) throw new Error('--repeat must be a positive integer');
  if (!Number.isInteger(run.heapMiB) || run.heapMiB < 256) throw new Error('--heap must be a whole number of MiB, at least 256');
  const threadCounts = String(opts.threads).split(',').map(Number);
  const suites = new Set(String(opts.suite).split(','));
  const cases: CaseResult[] = [];
  const extra: Record<string, unknown> = {};
  let regimeTable = '';
  mkdirSync(outDir, { recursive: true });

  if (opts.settings) {
    const sources = (opts.source ?? []).map((s: string) => ({ name: s.slice(0, s.indexOf('=')), path: resolve(s.slice(s.indexOf('=') + 1)) }));
    const truth = opts.truth ? { kind: 'csv' as const, path: resolve(opts.truth) } : undefined;
    cases.push(...runCases(threadCounts.map((threads) => ({ name: 'your data', settings: resolve(opts.settings), sources, truth, threads, bestThreshold: Boolean(opts.truth) })), run));
  } else {
    if (suites.has('febrl')) cases.push(...runCases(threadCounts.flatMap(febrlCases), run));
    if (suites.has('generated')) {
      const population = await generated(Number(opts.people), 4, 7);
      cases.push(...runCases(threadCounts.map((threads) => populationCase(`generated ${opts.people} people, 4 sources`, population, threads)), run));
    }
    if (suites.has('scale')) {
      for (const people of String(opts.scale).split(',').map(Number)) {
        const population = await generated(people, 4, 11);
        cases.push(...runCases(threadCounts.map((threads) => populationCase(`scale: ${people} people, 4 sources`, population, threads)), run));
      }
    }
    if (suites.has('stage')) {
      // The scoring stage alone on the scale populations, every thread count in each round.
      const stages: ScoringStageResult[] = [];
      for (const people of String(opts.scale).split(',').map(Number)) {
        const population = await generated(people, 4, 11);
        const { settings, sources } = populationCase('', population, 1);
        const spec: ScoringStageSpec = { name: `scoring stage: ${people} people, 4 sources`, settings, sources, threads: threadCounts, rounds: run.repeat };
        process.stderr.write(`bench: ${spec.name}, ${run.repeat} round(s) of ${threadCounts.join(', ')} thread(s)...\n`);
        stages.push(runScript<ScoringStageResult>('scoring-stage.js', spec, run.heapMiB));
      }
      extra.scoringStage = stages;
    }
    if (suites.has('generation')) {
      const dir = join(outDir, 'generation-timing');
      const started = performance.now();
      const summary = await generatePopulation({ people: 590_000, sources: 4, seed: 3, out: dir });
      extra.generation = { people: 590_000, records: summary.totalRecords, seconds: (performance.now() - started) / 1000, recordsPerSecond: summary.recordsPerSecond };
      rmSync(dir, { recursive: true, force: true });
    }
    if (suites.has('regimes')) {
      // --scale means people per data set here; not given, the suite's modest default.
      const people = program.getOptionValueSource('scale') === 'default' ? REGIME_PEOPLE : Number(opts.scale);
      if (!Number.isInteger(people) || people < 100) throw new Error('with --suite regimes, --scale is one people count (at least 100)');
      const only = opts.regimes === undefined ? undefined : String(opts.regimes).split(',');
      const unknown = only?.filter((n) => n !== 'febrl' && n !== 'default' && !(REGIME_NAMES as readonly string[]).includes(n));
      if (unknown && unknown.length > 0) throw new Error(`--regimes: unknown ${unknown.join(', ')} (known: febrl, default, ${REGIME_NAMES.join(', ')})`);
      const seed = Number(opts.seed);
      if (!Number.isSafeInteger(seed)) throw new Error('--seed must be an integer');
      const regimeOptions = { root, outDir, people, seed, threads: threadCounts[0], heapMiB: run.heapMiB, only };
      const started = performance.now();
      const rows: RegimeRow[] = await runRegimeSuite(regimeOptions);
      extra.regimes = { people, seed, threads: threadCounts[0], seconds: Number(((performance.now() - started) / 1000).toFixed(1)), rows };
      regimeTable = formatRegimeTable(rows, regimeOptions) + `\nregimes suite: ${((performance.now() - started) / 1000).toFixed(0)} s in all (generation included)`;
    }
    if (suites.has('kernels')) extra.kernels = await runKernelBench(join(febrl, 'dataset3.csv'), join(root, 'bench/settings/febrl3.json'));
  }

  if (cases.length > 0 || !suites.has('regimes') || suites.size > 1) process.stdout.write(formatTable(cases, PEERS, extra as Parameters<typeof formatTable>[2]) + '\n');
  if (regimeTable) process.stdout.write(regimeTable + '\n');
  const json = { machine: { node: process.version, cpus: (await import('node:os')).availableParallelism() }, cases, peers: PEERS, ...extra };
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(json, null, 2));
  process.stdout.write(JSON.stringify(json) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
