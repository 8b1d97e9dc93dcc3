// When an add trains the index's model again over every record (a model
// refresh). The model, blocking rules and term frequencies are trained on the
// records indexed at the time; an add of a source they never saw (its own
// formats, its own fill rates, pairs across it) or an index grown well past
// them leaves the model describing data the index no longer holds. Growth by a
// factor keeps the cost of refreshes linear in the index's size overall: each
// one retrains on at most `growth` times the records of the previous one.
import { MpiError } from '@mpi/core';

/** The model refresh policy of an index (see CreateIndexOptions.modelRefresh). */
export interface ModelRefreshPolicy {
  /** `auto`: an add refreshes the model when `refreshTrigger` says so; `manual`: only refreshModel() does. */
  readonly mode: 'auto' | 'manual';
  /** An add that brings the index to at least this many times the records the model was trained on refreshes it. */
  readonly growth: number;
}

/** Default growth factor that triggers a refresh (see refresh-policy.ts and docs/index.md). */
export const DEFAULT_REFRESH_GROWTH = 1.5;

/** What the model was trained on: the sources and the number of records. */
export interface TrainedOn {
  readonly sources: readonly string[];
  readonly records: number;
}

/** The policy from the options given at build, checked. A model given at build is the caller's: it is refreshed only on request unless `auto` is asked for. */
export function refreshPolicy(mode: unknown, growth: unknown, modelGiven: boolean): ModelRefreshPolicy {
  if (mode !== undefined && mode !== 'auto' && mode !== 'manual') throw new MpiError('BAD_MODEL_REFRESH', 'modelRefresh is "auto" or "manual"');
  if (growth !== undefined && (typeof growth !== 'number' || !Number.isFinite(growth) || growth <= 1)) {
    throw new MpiError('BAD_MODEL_REFRESH', 'refreshGrowth is a number above 1');
  }
  return { mode: mode ?? (modelGiven ? 'manual' : 'auto'), growth: growth ?? DEFAULT_REFRESH_GROWTH };
}

/**
 * Why an add should refresh the model, or undefined when it should not:
 * `sources` and `records` describe the index after the add.
 */
export function refreshTrigger(policy: ModelRefreshPolicy, trainedOn: TrainedOn | undefined, sources: ReadonlySet<string>, records: number): string | undefined {
  if (policy.mode !== 'auto' || trainedOn === undefined) return undefined;
  const unseen = [...sources].filter((source) => !trainedOn.sources.includes(source)).sort();
  if (unseen.length > 0) return `new source${unseen.length > 1 ? 's' : ''} ${unseen.map((s) => `"${s}"`).join(', ')}`;
  if (records >= policy.growth * trainedOn.records) return `index grew from ${trainedOn.records} to ${records} records (${policy.growth}x or more)`;
  return undefined;
}

/** The sources and number of `records` (what a model trained on them was trained on). */
export function trainedOn(records: Iterable<{ readonly source: string }>): TrainedOn {
  const sources = new Set<string>();
  let count = 0;
  for (const record of records) sources.add(record.source), count++;
  return { sources: [...sources].sort(), records: count };
}
