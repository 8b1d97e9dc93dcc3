import { describe, expect, it } from 'vitest';
import { progressPrinter } from '../src/cli/progress.js';

/** A printer writing to an array, on a clock the test moves. */
function printer(logEveryMs?: number) {
  const lines: string[] = [];
  let clock = 0;
  const print = progressPrinter(false, { tty: false, write: (text) => lines.push(text), now: () => clock, ...(logEveryMs === undefined ? {} : { logEveryMs }) });
  return { lines, print, at: (ms: number) => (clock = ms) };
}

describe('progress in a log (stderr not a terminal)', () => {
  it('prints one line per finished stage, with the seconds since the start and the count', () => {
    const { lines, print, at } = printer();
    at(1_500);
    print({ stage: 'read', done: 1000, total: 1000 });
    expect(lines).toEqual(['[1.50s] read done (1000)\n']);
  });

  it('prints a long stage\'s count at most once a minute, never for a stage that ends within the minute', () => {
    const { lines, print, at } = printer();
    at(0);
    print({ stage: 'block', done: 10, total: 400 });
    at(30_000);
    print({ stage: 'block', done: 200, total: 400 });
    print({ stage: 'block', done: 400, total: 400 });
    at(40_000);
    print({ stage: 'compare', done: 1, total: 406 });
    at(99_000);
    print({ stage: 'compare', done: 100, total: 406 });
    at(100_000);
    print({ stage: 'compare', done: 101, total: 406 });
    at(130_000);
    print({ stage: 'compare', done: 150, total: 406 });
    at(160_000);
    print({ stage: 'compare', done: 203, total: 406 });
    expect(lines).toEqual(['[30.00s] block done (400)\n', '[100.00s] compare 101/406 (24%)\n', '[160.00s] compare 203/406 (50%)\n']);
  });

  it('prints nothing with --quiet', () => {
    const lines: string[] = [];
    const print = progressPrinter(true, { tty: false, write: (text) => lines.push(text), logEveryMs: 0 });
    print({ stage: 'compare', done: 1, total: 2 });
    print({ stage: 'compare', done: 2, total: 2 });
    expect(lines).toEqual([]);
  });
});
