// Child process of crash.test.ts: adds one batch (committed), then a second one
// that stops inside its transaction, before the commit, until it is killed.
import { readFileSync } from 'node:fs';
import { openIndex } from '../dist/index.js';

const [path, committedBatch, interruptedBatch] = process.argv.slice(2);
let armed = false;
const index = openIndex(path, {
  threads: 1,
  beforeCommit: () => {
    if (!armed) return;
    process.stdout.write('in-transaction\n');
    // Blocks this thread inside the open transaction; the parent kills the process here.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
  },
});
await index.add(JSON.parse(readFileSync(committedBatch, 'utf8')));
process.stdout.write('committed\n');
armed = true;
await index.add(JSON.parse(readFileSync(interruptedBatch, 'utf8')));
process.stdout.write('not killed\n');
