// A generated population's files as the index benches use them (settings.json, one CSV per
// source, truth.csv): whole sources, row slices written as sources of their own into `dir`,
// and pairwise F1 of identity groups against the truth.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Evaluation } from '../../packages/core/dist/index.js';

export function openPopulation(population, dir) {
  const settings = JSON.parse(readFileSync(join(population, 'settings.json'), 'utf8'));
  const lines = (name) => readFileSync(join(population, `${name}.csv`), 'utf8').trim().split('\n');
  const source = (name) => ({ name, path: join(population, `${name}.csv`) });
  /** A CSV of some of a source's rows, as a source the index reads. */
  const slice = (name, from, to) => {
    const all = lines(name);
    const path = join(dir, `${name}-${from}-${to}.csv`);
    writeFileSync(path, [all[0], ...all.slice(1 + from, 1 + to)].join('\n') + '\n');
    return { name, path };
  };
  const truth = lines('truth').slice(1).map((row) => row.split(','));
  /** Pairwise F1 of identity groups ({ id, records }) against the truth. */
  const f1 = (groups) => {
    const evaluation = new Evaluation();
    for (const [s, recordId, person] of truth) evaluation.addTruth({ source: s, recordId, group: person });
    for (const group of groups) for (const r of group.records) evaluation.addPredicted({ source: r.source, recordId: r.recordId, group: group.id });
    return evaluation.report().pairwise.f1;
  };
  return { settings, lines, source, slice, f1 };
}
