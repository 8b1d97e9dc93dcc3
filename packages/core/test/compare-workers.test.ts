import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWorkers, IN_THREAD_COMPARE_BYTES, inputBytes } from '../src/compare-workers.js';

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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('compareWorkers', () => {
  const cores = availableParallelism();

  it('starts every thread from parallelBytes of input', () => {
    expect(compareWorkers(4, 48 << 20)).toBe(4);
    expect(compareWorkers(3, 10, 10)).toBe(3);
    expect(compareWorkers(2, Infinity)).toBe(2);
  });

  it('below it leaves one core to the calling thread, and never starts fewer than one worker', () => {
    expect(compareWorkers(1, IN_THREAD_COMPARE_BYTES)).toBe(1);
    expect(compareWorkers(cores, 10 << 20)).toBe(Math.max(1, cores - 1));
    expect(compareWorkers(cores + 4, 10 << 20)).toBe(Math.max(1, cores - 1));
  });

  it('starts no worker for an input below IN_THREAD_COMPARE_BYTES, unless parallelBytes is lower', () => {
    expect(compareWorkers(2, 0)).toBe(0);
    expect(compareWorkers(4, IN_THREAD_COMPARE_BYTES - 1)).toBe(0);
    expect(compareWorkers(2, 1000, 0)).toBe(2);
    expect(compareWorkers(2, 1000, 1000)).toBe(2);
    expect(compareWorkers(2, 999, 1000)).toBe(0);
  });
});
