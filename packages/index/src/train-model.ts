// What the index scores with, trained from records the way link() trains: the
// Fellegi-Sunter model (u from random pairs, m and the prior by EM), the
// blocking rules chosen for the data (the defaults scale to it), and the
// term-frequency tables of those records. A build trains them once; a model
// refresh trains them again over every indexed record.
import type { BlockingRule } from '@mpi/blocking';
import { link, type Settings, type SourceInput } from '@mpi/core';
import { blockPairs, DEFAULTS, termFrequencyInputs, unseenValueFrequency } from '@mpi/core/advanced';
import type { FellegiSunterModel } from '@mpi/scoring';
import { termFrequencyInputsOf, type FrozenParts, type ScoredTable, type StoredTermFrequencies } from './scored-table.js';

/** Term-frequency tables of the records trained on, stored so later scores do not depend on which records came after. */
function storedTermFrequencies(scored: ScoredTable, model: FellegiSunterModel): (StoredTermFrequencies | null)[] {
  return termFrequencyInputs(scored.table, model.comparisons).map((input, c) => {
    if (input === null) return null;
    const column = scored.table.columns[model.comparisons[c].column];
    const frequencies: Record<string, number> = {};
    // The first value column's values (a multi-valued field's frequencies also hold the other columns' values, after them).
    for (let id = 1; id < column.dictionary.length; id++) if (input.tf[id] > 0) frequencies[column.dictionary[id]] = input.tf[id];
    return { column: model.comparisons[c].column, frequencies, unseen: unseenValueFrequency(scored.table, model.comparisons[c], input.tf) };
  });
}

/** The settings with only the source overrides of the given sources (link() refuses overrides of absent sources). */
function forSources(settings: Settings, sources: readonly SourceInput[]): Settings {
  if (settings.sources === undefined) return settings;
  const names = new Set(sources.map((source) => source.name));
  return { ...settings, sources: Object.fromEntries(Object.entries(settings.sources).filter(([name]) => names.has(name))) };
}

/** The parts trained, and the records scored with them (link()'s pairs and weights, with the stored tables' frequencies). */
export interface TrainedParts {
  readonly frozen: FrozenParts;
  readonly scored: ScoredTable;
}

/**
 * Runs link() on `sources` with `settings` (as given, before any rules were
 * frozen into them), training a model unless one is given, and returns what
 * the index freezes: the model, the blocking rules link() chose, the
 * term-frequency tables, and every pair link() scored.
 */
export async function trainParts(settings: Settings, sources: readonly SourceInput[], threads: number, model?: FellegiSunterModel): Promise<TrainedParts> {
  const result = await link({ settings: forSources(settings, sources), sources, threads, model });
  const mode = settings.mode ?? DEFAULTS.mode;
  const clusteringMethod = settings.clustering ?? DEFAULTS.clustering;
  // The blocking rules this run used, frozen: the defaults are scaled to the
  // data, and rules that changed with every add would change untouched pairs.
  const rules: BlockingRule[] = blockPairs({ table: result.table, settings, mode, comparisons: result.model.comparisons, training: false, clusteringMethod, progress: () => {} })
    .rules.map((rule) => rule.rule);
  const scored: ScoredTable = { table: result.table, pairs: result.pairs, weights: result.weights, tf: termFrequencyInputs(result.table, result.model.comparisons) };
  const frozen: FrozenParts = { settings: { ...settings, blockingRules: rules }, model: result.model, rules, tf: storedTermFrequencies(scored, result.model) };
  // Held with the stored tables' frequencies, as an index opened from its file has them (later adds extend them).
  return { frozen, scored: { ...scored, tf: termFrequencyInputsOf(scored.table, frozen.tf) } };
}
