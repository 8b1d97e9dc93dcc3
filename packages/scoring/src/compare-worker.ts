// Worker thread of the ComparisonPool: asks for the table on the pool's channel,
// compiles the vectorizer once when it arrives, and keeps its memo across tasks.
import { BroadcastChannel, workerData } from 'node:worker_threads';
import { sampleLevelCounts } from './model/sample-level-counts.js';
import { PairScorer } from './model/score-pairs.js';
import { nicknameTable } from './nicknames.js';
import { compileVectorizer, type CompiledVectorizer } from './vectorizer.js';
import type { PoolTask, CompareWorkerData, TableMessage } from './pool.js';
import type { Comparison, ScoringTable } from './types.js';

let loaded: { readonly table: ScoringTable; readonly comparisons: readonly Comparison[] } | undefined;
const vectorizer = new Promise<CompiledVectorizer>((resolve, reject) => {
  const channel = new BroadcastChannel((workerData as CompareWorkerData).channel);
  channel.onmessage = (event) => {
    const message = (event as { data: TableMessage }).data;
    // Other workers' requests arrive here too.
    if (message.kind !== 'table') return;
    channel.close();
    loaded = message;
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
// The nickname table (~20 ms to parse) loads while this worker waits for the
// records to be read, instead of inside the first comparison task; every default
// given-name comparison needs it.
setImmediate(() => nicknameTable());

/**
 * compare: comparison vectors of pairs [start, end) of the task's pair arrays,
 * written into the task's shared vectors. sample: level counts of a whole
 * random-pair sample, drawn part by part. score: match weights of pairs
 * [start, end), written into the task's shared scores.
 */
export default async function run(task: PoolTask): Promise<void | Float64Array[]> {
  if (task.kind === 'score') {
    const { left, right, levels, start, end, scores, model } = task;
    new PairScorer(model, task.tf).scoreRange({ left, right }, { width: model.comparisons.length, levels }, start, end, scores);
    return;
  }
  const compiled = await vectorizer;
  if (task.kind === 'sample') {
    return sampleLevelCounts(compiled, loaded!.table, loaded!.comparisons, task);
  }
  const width = compiled.comparisons.length;
  compiled.vectorizeRange(task.left, task.right, task.start, task.end, task.levels.subarray(task.start * width, task.end * width));
}
