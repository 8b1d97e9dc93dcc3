import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';

/**
 * Worker threads started while `body` runs, from process 'worker' events (a
 * pool's own, and any replacement piscina starts for a dead one), and a promise
 * that they have all exited: tests end real threads and check none is left.
 */
export async function watchingWorkers<T>(body: (started: Worker[]) => Promise<T>): Promise<{ result: T; started: Worker[]; exited: Promise<unknown> }> {
  const started: Worker[] = [];
  const exits: Promise<unknown>[] = [];
  const onWorker = (worker: Worker) => {
    started.push(worker);
    exits.push(once(worker, 'exit'));
  };
  process.on('worker', onWorker);
  try {
    const result = await body(started);
    return { result, started, exited: Promise.all(exits) };
  } finally {
    process.off('worker', onWorker);
  }
}
