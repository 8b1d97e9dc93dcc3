import { describe, expect, it } from 'vitest';
import { progressPrinter, timeLeft } from '../src/cli/progress.js';

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
    // The time left at the pace since the stage's first count: 100 blocks in 60 s, then 202 in 120 s.
    expect(lines).toEqual(['[30.00s] block done (400)\n', '[100.00s] compare 101/406 (24%), about 3 min left\n', '[160.00s] compare 203/406 (50%), about 2 min left\n']);
  });

  it('counts the pace of a stage that went on from a work database from where this process went on', () => {
    const { lines, print, at } = printer();
    at(0);
    print({ stage: 'compare', done: 300, total: 378 });
    at(60_000);
    print({ stage: 'compare', done: 301, total: 378 });
    at(7_260_000);
    print({ stage: 'compare', done: 360, total: 378 });
    expect(lines).toEqual(['[60.00s] compare 301/378 (79%), about 77 min left\n', '[7260.00s] compare 360/378 (95%), about 36 min left\n']);
  });

  it('says nothing of the time left before the stage has moved', () => {
    const { lines, print, at } = printer();
    at(0);
    print({ stage: 'compare', done: 5, total: 10 });
    at(61_000);
    print({ stage: 'compare', done: 5, total: 10 });
    expect(lines).toEqual(['[61.00s] compare 5/10 (50%)\n']);
  });

  it('prints nothing with --quiet', () => {
    const lines: string[] = [];
    const print = progressPrinter(true, { tty: false, write: (text) => lines.push(text), logEveryMs: 0 });
    print({ stage: 'compare', done: 1, total: 2 });
    print({ stage: 'compare', done: 2, total: 2 });
    expect(lines).toEqual([]);
  });
});

describe('the time left, as a log prints it', () => {
  it('is in seconds below a minute and a half, in minutes below an hour and a half, then in hours and minutes', () => {
    expect([0.2, 40, 89, 90, 749, 5_340, 5_400, 12_000].map(timeLeft)).toEqual([
      'about 1 s',
      'about 40 s',
      'about 89 s',
      'about 2 min',
      'about 12 min',
      'about 89 min',
      'about 1 h 30 min',
      'about 3 h 20 min',
    ]);
  });
});
