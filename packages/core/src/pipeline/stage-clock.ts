import type { Stage, StageTiming } from './types.js';

const ORDER: readonly Stage[] = ['read', 'block', 'compare', 'train', 'score', 'cluster'];

/**
 * The seconds each stage took, each stage timing its own work (a stage's work
 * done ahead of it, like loading the comparisons before blocking, counts for
 * it), and where link() is, for the message of a failure: the stage it is in,
 * and the records and candidate pairs it has.
 */
export class StageClock {
  stage: Stage = 'read';
  records: number | undefined;
  pairs: number | undefined;
  private readonly seconds = new Map<Stage, number>();

  /** Runs `work` as part of `stage`, adding the time it took to the stage's. */
  time<T>(stage: Stage, work: () => T): T {
    this.stage = stage;
    const started = performance.now();
    try {
      return work();
    } finally {
      this.add(stage, started);
    }
  }

  /** As time(), for work that ends when its promise settles. */
  async timeAsync<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
    this.stage = stage;
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, started);
    }
  }

  /** The stages timed so far, in pipeline order. */
  get timings(): StageTiming[] {
    return ORDER.filter((stage) => this.seconds.has(stage)).map((stage) => ({ stage, seconds: this.seconds.get(stage)! }));
  }

  private add(stage: Stage, started: number): void {
    this.seconds.set(stage, (this.seconds.get(stage) ?? 0) + (performance.now() - started) / 1000);
  }
}
