// Worker thread of the ComparisonPool: compiles the vectorizer once from the table
// shared at start-up and keeps its memo across tasks.
import { move } from 'piscina';
import { workerData } from 'node:worker_threads';
import { compileVectorizer, vectorizePairs } from './vectorizer.js';
import type { CompareTask, CompareWorkerData } from './pool.js';

const { table, comparisons } = workerData as CompareWorkerData;
const vectorizer = compileVectorizer(table, comparisons);

/** Comparison vectors of pairs [start, end) of the task's pair arrays, transferred back. */
export default function compare(task: CompareTask): Uint8Array {
  const { levels } = vectorizePairs(vectorizer, task.left, task.right, task.start, task.end);
  return move(levels) as Uint8Array;
}
