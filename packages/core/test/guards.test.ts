// Resource guards of link(): work per pair bounded in value length, the pair
// budget sized to memory, worker threads capped by cores and data.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { link, MpiError, type LinkOptions, type PlainRecord, type ProgressEvent } from '../src/index.js';
import { defaultPairBudget, pairCost, PAIR_MEMORY_SHARE } from '../src/defaults/pair-budget.js';
import { febrlDir, febrlSettings, processOutput, repoRoot, runProcess } from './helpers.js';
import { watchingWorkers } from '../../scoring/test/watch-workers.js';

/** A seeded generator of integers in [0, n), so the values are the same on every run. */
function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

/**
 * `count` records of people four records each, whose given and family names are
 * `length` characters long with three typos per record, so that blocking pairs
 * them and the fuzzy name levels are reached.
 */
function longNames(count: number, length: number): PlainRecord[] {
  const random = seeded(11);
  const letter = () => 'abcdefghijklmnopqrstuvwxyz'[random(26)];
  const word = () => Array.from({ length }, letter).join('');
  const typo = (value: string) => {
    const chars = value.split('');
    for (let k = 0; k < 3; k++) chars[random(length)] = letter();
    return chars.join('');
  };
  const people = Array.from({ length: Math.ceil(count / 4) }, (_, p) => ({ first: word(), last: word(), dob: `19${50 + (p % 40)}-0${1 + (p % 9)}-1${p % 10}` }));
  return Array.from({ length: count }, (_, i) => {
    const person = people[i >> 2];
    return { id: String(i), first: typo(person.first), last: typo(person.last), dob: person.dob };
  });
}

describe('work per pair with long values', () => {
  it('links 200 records of 1,000-character names in a few seconds', async () => {
    // Jaro-Winkler scanned a window of half the longer value per character: this
    // took 61-88 s. Now 3.3 s on an idle 2-core host, 9 s with the host's load at
    // 12; the bound leaves room for such load and none for the quadratic kernel.
    const records = longNames(200, 1000);
    const started = performance.now();
    const result = await link({
      settings: { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date' } },
      sources: [{ name: 'ehr', records }],
      threads: 1,
    });
    const seconds = (performance.now() - started) / 1000;
    expect(result.pairs.count).toBeGreaterThan(0);
    expect(result.table.flags.length).toBe(0);
    expect(result.groups().reduce((n, g) => n + g.records.length, 0)).toBe(200);
    expect(seconds).toBeLessThan(20);
  });
});

/** Records as an async iterable: its size is unknown until read. */
async function* streamed(records: readonly PlainRecord[]): AsyncGenerator<PlainRecord> {
  for (const record of records) yield record;
}

const settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date' } } as const;
const cores = availableParallelism();

describe('worker threads', () => {
  const records = longNames(100, 8);

  it('never starts more comparison workers than cores, whatever threads asks for', async () => {
    const { result, started, exited } = await watchingWorkers(() =>
      link({ settings, sources: [{ name: 'ehr', records }], threads: 1000, parallelBytes: 0 }),
    );
    expect(result.workers).toBe(cores);
    expect(started.length).toBe(cores);
    await exited;
  });

  it('sizes an async iterable source once read: 100 records start no worker', async () => {
    const { result, started } = await watchingWorkers(() => link({ settings, sources: [{ name: 'ehr', records: streamed(records) }], threads: 64 }));
    expect(result.workers).toBe(0);
    expect(started.length).toBe(0);
    expect(result.table.size).toBe(100);
  });

  it('uses every core for an async iterable past parallelBytes, with the same groups as an array', async () => {
    const { result, started, exited } = await watchingWorkers(() =>
      link({ settings, sources: [{ name: 'ehr', records: streamed(records) }], threads: 64, parallelBytes: 0 }),
    );
    expect(result.workers).toBe(cores);
    expect(started.length).toBe(cores);
    await exited;
    const inThread = await link({ settings, sources: [{ name: 'ehr', records }], threads: 1 });
    expect(result.groups()).toEqual(inThread.groups());
  });
});

describe('the default pair budget', () => {
  const gib = 2 ** 30;

  it('is the memory left, less what the records reserve, over the bytes a pair takes at the peak', () => {
    const cost = pairCost(12, 6, 'averageLinkage', 1_000_000);
    // Average linkage's worst case holds more a pair than comparing does.
    expect(cost.bytes).toBe(58);
    expect(pairCost(12, 6, 'connectedComponents', 0).bytes).toBe(20 + 12);
    expect(pairCost(100, 6, 'averageLinkage', 0).bytes).toBe(120);
    // 4 bytes a pair more per 32 training rules past the first 32.
    expect(pairCost(12, 40, 'connectedComponents', 0).bytes).toBe(20 + 4 + 12);
    const budget = defaultPairBudget(cost, { bytes: 8 * gib, heapBytes: 4 * gib, limitedBy: 'of memory available' });
    expect(budget.maxPairs).toBe(Math.floor((8 * gib * PAIR_MEMORY_SHARE - cost.reserved) / 58));
    expect(budget.basis).toBe('the default, sized to the 8.0 GiB of memory available, 58 bytes a pair');
  });

  it('follows the V8 heap where it is the tighter limit', () => {
    const cost = pairCost(12, 6, 'averageLinkage', 1_000_000);
    const budget = defaultPairBudget(cost, { bytes: 64 * gib, heapBytes: 0.25 * gib, limitedBy: 'of memory available' });
    expect(budget.maxPairs).toBe(Math.floor((0.25 * gib * PAIR_MEMORY_SHARE - cost.reservedHeap) / cost.heapBytes));
    expect(budget.basis).toMatch(/V8 heap can still grow by .*--max-old-space-size/);
    // No memory left at all: no pair, rather than a negative budget.
    expect(defaultPairBudget(cost, { bytes: 0, heapBytes: 0, limitedBy: 'of memory available' }).maxPairs).toBe(0);
  });

  describe('under a real memory limit (ulimit -v)', () => {
    // n records of one name and birth date: one block of n(n - 1)/2 pairs. The
    // child reports how link() failed: the error's class, code and message.
    const script = (n: number, maxPairs?: number) => `
      import { link } from ${JSON.stringify(join(repoRoot, 'packages/core/dist/index.js'))};
      const records = Array.from({ length: ${n} }, (_, i) => ({ id: String(i), first: 'Annabel', last: 'Quixley', dob: '1980-01-01' }));
      const settings = { recordId: 'id', fields: { first: 'given_name', last: 'family_name', dob: 'birth_date' }${maxPairs ? `, maxPairs: ${maxPairs}` : ''} };
      try {
        const result = await link({ settings, sources: [{ name: 'ehr', records }], threads: 1 });
        console.log(JSON.stringify({ pairs: result.pairs.count }));
      } catch (error) {
        console.log(JSON.stringify({ name: error.constructor.name, code: error.code, message: error.message }));
      }
    `;
    // The young generation is fixed at its start size: otherwise V8 may need to commit a
    // larger semi-space just as the pair arrays take the last of the address space, and
    // that failure is fatal to the process (seen under a loaded host), not a RangeError
    // link() can report. The test is about ArrayBuffer allocations, which stay as they are.
    const V8_FLAGS = ['--min-semi-space-size=1', '--max-semi-space-size=1'];
    /** Address space in KiB of a Node process that has loaded @mpi/core, as the child's before it links. */
    const loaded = async () => {
      const probe = `await import(${JSON.stringify(join(repoRoot, 'packages/core/dist/index.js'))}); console.log(/VmSize:\\s+(\\d+)/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))[1]);`;
      return Number(await processOutput(process.execPath, [...V8_FLAGS, '--input-type=module', '-e', probe]));
    };
    /** Runs the script with `headroomMiB` of address space above what loading takes. */
    // When the address space runs out, V8 itself may need a page at that moment (its
    // new-space pages are unmapped and mapped again by a background thread, whose timing
    // follows the host's load) and abort the process with "Fatal process out of memory"
    // before link()'s own allocation fails. No JavaScript can catch that, for us or a user
    // (docs/exit-codes.md). Such a run says nothing about link(): it is run again. Whether
    // V8 aborts follows how much room the failed allocation left, which is the same run
    // after run at one limit (a CI host aborted three times in a row at one limit; here 2 of
    // 13 limits between 296 and 308 MiB aborted, always). So each new run moves the limit up
    // by 2.5 MiB, at most four times; any other output on stderr fails the test at once.
    const V8_ABORT = /Fatal process out of memory|Committing semi space failed/;
    const limited = async (headroomMiB: number, code: string) => {
      const base = await loaded();
      const once = (shiftKiB: number) => {
        const limit = base + headroomMiB * 1024 + shiftKiB;
        return runProcess('bash', ['-c', `ulimit -v ${limit}; exec "$0" ${V8_FLAGS.join(' ')} --input-type=module -e "$1"`, process.execPath, code], { encoding: 'utf8', timeout: 120_000 });
      };
      let run = await once(0);
      for (let again = 1; again <= 4 && V8_ABORT.test(run.stderr); again++) run = await once(again * 2560);
      expect(run.stderr).toBe('');
      return JSON.parse(run.stdout.trim().split('\n').pop()!) as { name?: string; code?: string; message?: string; pairs?: number };
    };
    const linux = process.platform === 'linux';

    it.runIf(linux)('refuses, before generating any pair, more pairs than the limit leaves room for', async () => {
      // 4.5M pairs; ~300 MiB of room holds ~3M. The fixed 200M default let this
      // run (and a larger one die with "Array buffer allocation failed").
      const outcome = await limited(300, script(3000));
      expect(outcome).toMatchObject({ name: 'PairBudgetExceededError' });
      expect(outcome.message).toContain('produces 4498500 candidate pairs');
      expect(outcome.message).toMatch(/left under the address-space limit \(ulimit -v\), 58 bytes a pair/);
      expect(outcome.message).not.toMatch(/annabel|quixley/i);
      // Within the limit's room the same data links.
      expect(await limited(300, script(2000))).toEqual({ pairs: 1_999_000 });
    });

    it.runIf(linux)('reports an allocation that fails past an explicit budget as a typed OutOfMemoryError', async () => {
      // maxPairs overrides the default: 18M pairs are generated, and memory runs out.
      const outcome = await limited(300, script(6000, 50_000_000));
      expect(outcome).toMatchObject({ name: 'OutOfMemoryError', code: 'OUT_OF_MEMORY' });
      expect(outcome.message).toMatch(/ran out of memory in the \w+ stage \(6000 records, 17997000 candidate pairs\)/);
      expect(outcome.message).not.toMatch(/annabel|quixley/i);
    });
  });
});

describe('a comparison worker that dies mid-task', () => {
  const febrl = (file: string): PlainRecord[] => parse(readFileSync(join(febrlDir, file), 'utf8'), { columns: true, trim: true, bom: true });
  const options: LinkOptions = {
    settings: febrlSettings('link'),
    sources: [{ name: 'a', records: febrl('dataset4a.csv') }, { name: 'b', records: febrl('dataset4b.csv') }],
    threads: 2,
    parallelBytes: 0,
  };

  it('fails the run with WorkerFailedError, stops the other workers at once and leaves no thread', async () => {
    const events: ProgressEvent[] = [];
    let afterKill = -1;
    const { result: error, started, exited } = await watchingWorkers((started) =>
      link({
        ...options,
        onProgress: (event) => {
          events.push(event);
          // At the first finished compare task the other tasks are still queued or running: end a worker for real.
          if (event.stage === 'compare' && event.done < event.total && afterKill < 0) {
            afterKill = events.length;
            void started[0].terminate();
          }
        },
      }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(afterKill).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(MpiError);
    expect(error).toMatchObject({ name: 'WorkerFailedError', code: 'WORKER_FAILED', stage: 'compare' });
    expect((error as Error).message).toMatch(/a comparison worker failed in the compare stage \(10000 records, [1-9]\d* candidate pairs\) \(the worker exited with code 1\)/);
    // The other worker did not go on with the stage: terminate() takes effect a moment
    // later, so the task each of the two workers was already running may report, but
    // the stage never completes and no later stage starts.
    const after = events.slice(afterKill);
    expect(after.length).toBeLessThanOrEqual(2);
    for (const event of after) expect(event.stage === 'compare' && event.done < event.total).toBe(true);
    // Every thread link() started, piscina's replacement for the dead one included, has ended.
    expect(started.length).toBeGreaterThanOrEqual(2);
    await exited;
  });

  it('lets the process exit on its own once link() has failed', async () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { link } from ${JSON.stringify(join(repoRoot, 'packages/core/dist/index.js'))};
      const workers = [];
      process.on('worker', (worker) => workers.push(worker));
      const records = (file) => { const [header, ...rows] = readFileSync(${JSON.stringify(febrlDir)} + '/' + file, 'utf8').trim().split('\\n');
        const columns = header.split(',').map((c) => c.trim());
        return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [columns[i], v.trim()]))); };
      let killed = false;
      await link({ settings: ${JSON.stringify(febrlSettings('link'))}, sources: [{ name: 'a', records: records('dataset4a.csv') }, { name: 'b', records: records('dataset4b.csv') }], threads: 2, parallelBytes: 0,
        onProgress: (event) => { if (event.stage === 'compare' && event.done < event.total && !killed) { killed = true; void workers[0].terminate(); } } })
        .catch((error) => console.log(error.code));
    `;
    const started = performance.now();
    const output = await processOutput(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 });
    expect(output.toString().trim()).toBe('WORKER_FAILED');
    // Not held open by a worker until piscina's idle timeout (30 s).
    expect(performance.now() - started).toBeLessThan(25_000);
  });
});
