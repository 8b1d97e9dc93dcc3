import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWorkers, IN_THREAD_COMPARE_BYTES, inputBytes, readInputBytes, sourceBytes } from '../src/pipeline/compare-workers.js';

describe('inputBytes', () => {
  it('adds file sizes, counts an in-memory record as 100 bytes, and an iterable of unknown length as unbounded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpi-input-bytes-'));
    try {
      const file = join(dir, 'a.csv');
      writeFileSync(file, 'id,name\n1,ann\n');
      expect(await inputBytes([{ name: 'a', path: file }, { name: 'b', records: [{ id: '1' }, { id: '2' }] }])).toBe(14 + 200);
      expect(await inputBytes([{ name: 'missing', path: join(dir, 'none.csv') }])).toBe(0);
      function* one() {
        yield { id: '1' };
      }
      expect(await inputBytes([{ name: 'c', records: one() }])).toBe(Infinity);
      expect(await sourceBytes([{ name: 'a', path: file }, { name: 'c', records: one() }])).toEqual([14, undefined]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sizes an iterable once read at 100 bytes a record, as an array', () => {
    function* records() {
      yield { id: '1' };
    }
    const sources = [{ name: 'file', path: 'a.csv' }, { name: 'stream', records: records() }];
    // Rows of the table by source index: 'stream' is source 0 here, with 3 records.
    const table = { sources: ['stream', 'file'], source: new Uint16Array([0, 0, 1, 0]) };
    expect(readInputBytes(sources, [5_000, undefined], table)).toBe(5_000 + 300);
  });
});

describe('compareWorkers', () => {
  const cores = availableParallelism();

  it('starts every thread from parallelBytes of input, up to the cores', () => {
    expect(compareWorkers(1, 48 << 20)).toBe(1);
    expect(compareWorkers(cores, 48 << 20)).toBe(cores);
    expect(compareWorkers(cores, 10, 10)).toBe(cores);
    expect(compareWorkers(cores, Infinity)).toBe(cores);
    // More workers than cores would only share them, each with its own dictionaries.
    expect(compareWorkers(1000, 48 << 20)).toBe(cores);
    expect(compareWorkers(cores + 1, Infinity)).toBe(cores);
  });

  it('below it leaves one core to the calling thread, and never starts fewer than one worker', () => {
    expect(compareWorkers(1, IN_THREAD_COMPARE_BYTES)).toBe(1);
    expect(compareWorkers(cores, 10 << 20)).toBe(Math.max(1, cores - 1));
    expect(compareWorkers(cores + 4, 10 << 20)).toBe(Math.max(1, cores - 1));
  });

  it('starts no worker for an input below IN_THREAD_COMPARE_BYTES, unless parallelBytes is lower', () => {
    expect(compareWorkers(2, 0)).toBe(0);
    expect(compareWorkers(4, IN_THREAD_COMPARE_BYTES - 1)).toBe(0);
    expect(compareWorkers(1, 1000, 0)).toBe(1);
    expect(compareWorkers(1, 1000, 1000)).toBe(1);
    expect(compareWorkers(2, 999, 1000)).toBe(0);
  });
});
