import { availableParallelism } from 'node:os';
import type { CandidatePairs, CompiledBlockingRule } from '@mpi/blocking';
import type { Comparison, ComparisonPool, ComparisonVectors, FellegiSunterModel } from '@mpi/scoring';
import { SettingsError } from '../errors.js';
import { defaultComparisons } from '../defaults/field-kinds.js';
import { HOUSEHOLD_SHARE, householdShare, withoutHouseholdGroup } from '../defaults/households.js';
import type { RecordTable } from '../read/record-table.js';
import type { Settings } from '../settings/settings.js';
import { sessionMembership } from './train.js';
import type { ProgressEvent } from './types.js';

/** What the compare stage's workers are loaded with. */
export interface LoadInput {
  readonly table: RecordTable;
  readonly settings: Settings;
  /** A trained model given to link(): its comparisons replace the settings'. */
  readonly model: FellegiSunterModel | undefined;
  readonly pool: ComparisonPool;
}

/**
 * The comparisons of a run: the model's, else the settings', else the defaults
 * for the field kinds; each checked to read a column the table has.
 * @throws SettingsError naming the comparison whose field is not in the table.
 */
export function chooseComparisons(
  table: Pick<RecordTable, 'fieldKinds' | 'valueColumns'> & { readonly columns: Readonly<Record<string, unknown>> },
  settings: Settings,
  model: FellegiSunterModel | undefined,
): readonly Comparison[] {
  const comparisons = model?.comparisons ?? settings.comparisons ?? defaultComparisons(table.fieldKinds, table.valueColumns);
  for (const comparison of comparisons) {
    if (!(comparison.column in table.columns)) {
      throw new SettingsError(`comparisons.${comparison.name}`, `field "${comparison.column}" is not in the record table`);
    }
  }
  return comparisons;
}

/**
 * The comparisons (see chooseComparisons) loaded into the pool's workers,
 * ahead of blocking: the workers compare the u sample while this thread blocks.
 */
export function loadComparisons(input: LoadInput): readonly Comparison[] {
  const comparisons = chooseComparisons(input.table, input.settings, input.model);
  input.pool.load(input.table, comparisons);
  return comparisons;
}

/** The comparisons fitted to the candidate pairs, and the household share they were fitted by. */
export interface FittedComparisons {
  readonly comparisons: readonly Comparison[];
  /** See LinkResult.householdShare. */
  readonly share: number | undefined;
}

/**
 * The default comparisons without their household evidence group when the
 * candidate pairs show few households (see householdShare). Only default
 * comparisons are adapted; given ones (settings or model) are used as they are.
 */
export function fitToHouseholds(table: RecordTable, pairs: CandidatePairs, comparisons: readonly Comparison[], adapt: boolean): FittedComparisons {
  if (!adapt) return { comparisons, share: undefined };
  const share = householdShare(table, pairs);
  return { comparisons: share !== undefined && share < HOUSEHOLD_SHARE ? withoutHouseholdGroup(comparisons) : comparisons, share };
}

/** What the compare stage compares. */
export interface CompareInput {
  readonly pool: ComparisonPool;
  readonly pairs: CandidatePairs;
  /** The rules EM trains on: which of them cover each pair is found while the workers compare, when a core is free. */
  readonly sessionRules: readonly CompiledBlockingRule[];
  readonly progress: (event: ProgressEvent) => void;
}

/** The comparison vectors of the candidate pairs, in the workers' shared memory. */
export interface Compared {
  readonly vectors: ComparisonVectors[];
  /** The EM session masks when they were found during the comparing (see sessionMembership). */
  readonly membership: Uint32Array[][] | undefined;
}

/** The compare stage: every candidate pair compared on the pool's workers. A worker's failure is thrown here. */
export async function comparePairs(input: CompareInput): Promise<Compared> {
  const { pool, pairs, progress } = input;
  const comparing = pool.compare(pairs.chunks, (done, total) => progress({ stage: 'compare', done, total }));
  // Which EM sessions each pair belongs to is found while the workers compare
  // when a core is free for it, leaving the train stage only the counting. With
  // a worker on every core it would only take a worker's time, so it waits.
  const spareCore = pool.threads < availableParallelism();
  const membership = spareCore ? sessionMembership(pairs, input.sessionRules) : undefined;
  // A failure of this stage's workers is thrown here: nothing after it runs.
  const vectors = await comparing;
  progress({ stage: 'compare', done: pairs.count, total: pairs.count });
  return { vectors, membership };
}
