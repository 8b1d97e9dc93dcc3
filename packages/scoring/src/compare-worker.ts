// Worker thread of the ComparisonPool: asks for the table on the pool's channel,
// compiles the vectorizer once when it arrives, and keeps its memo across tasks.
import { move } from 'piscina';
import { BroadcastChannel, workerData } from 'node:worker_threads';
import { compileVectorizer, vectorizePairs, type CompiledVectorizer } from './vectorizer.js';
import type { CompareTask, CompareWorkerData, TableMessage } from './pool.js';

const vectorizer = new Promise<CompiledVectorizer>((resolve, reject) => {
  const channel = new BroadcastChannel((workerData as CompareWorkerData).channel);
  channel.onmessage = (event) => {
    const message = (event as { data: TableMessage }).data;
    // Other workers' requests arrive here too.
    if (message.kind !== 'table') return;
    channel.close();
    try {
      resolve(compileVectorizer(message.table, message.comparisons));
    } catch (error) {
      reject(error);
    }
  };
  channel.postMessage({ kind: 'ready' } satisfies TableMessage);
});
// A compile failure is reported by the tasks that await it.
vectorizer.catch(() => {});

/** Comparison vectors of pairs [start, end) of the task's pair arrays, transferred back. */
export default async function compare(task: CompareTask): Promise<Uint8Array> {
  const { levels } = vectorizePairs(await vectorizer, task.left, task.right, task.start, task.end);
  return move(levels) as Uint8Array;
}
