// The file piscina starts each comparison worker with. Piscina loads its worker file
// with require() first; on Node 20.19+ that is require() of an ES module, which once
// aborted a whole test run with a V8 fatal error ("v8::Module::IsGraphAsync must be
// used on an instantiated module", Node's require(esm) path before instantiation).
// A CommonJS entry that import()s the worker never takes that path. The import starts
// at once, so the worker still subscribes to the table channel before its first task.
const worker = import('./compare-worker.js');

export = async function run(task: unknown): Promise<unknown> {
  const { default: handle } = await worker;
  return handle(task as Parameters<typeof handle>[0]);
};
