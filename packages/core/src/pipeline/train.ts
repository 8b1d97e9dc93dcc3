import type { CandidatePairs, CompiledBlockingRule } from '@mpi/blocking';
import type { LinkMode } from '@mpi/types';
import {
  countSessionPatterns,
  defaultParameters,
  exactLevel,
  MAX_PATTERN_SESSIONS,
  trainModel,
  type Comparison,
  type ComparisonPool,
  type ComparisonVectors,
  type FellegiSunterModel,
  type PatternCounts,
} from '@mpi/scoring';
import type { FieldKind } from '../defaults/field-kind-names.js';
import { isHouseholdField, isPersonRule } from '../defaults/field-kinds.js';
import type { RecordTable } from '../read/record-table.js';
import { DEFAULTS, defaultUSampleSize, type Settings } from '../settings/settings.js';
import type { ProgressEvent } from './types.js';

/** The u probabilities being estimated from random pairs, and the sample's size. */
export interface USample {
  readonly estimate: Promise<number[][]>;
  readonly size: number;
}

/**
 * Starts estimating u from random pairs on the pool's workers (compared while
 * this thread blocks: none of it depends on the candidate pairs). Undefined when
 * a trained model was given, nothing to train.
 */
export function startUSample(table: RecordTable, settings: Settings, mode: LinkMode, pool: ComparisonPool, model: FellegiSunterModel | undefined): USample | undefined {
  if (model) return undefined;
  const size = settings.uSampleSize ?? defaultUSampleSize(table.size);
  const estimate = pool.estimateU({ mode, sampleSize: size, seed: settings.seed ?? DEFAULTS.seed });
  // Awaited in the train stage; this guard only keeps an early failure from being reported as unhandled.
  estimate.catch(() => {});
  return { estimate, size };
}

/**
 * Per candidate pair, which EM sessions it belongs to, MAX_PATTERN_SESSIONS
 * sessions to a mask: bit s of masks[b][i][k] is set when rule 32b + s covers
 * pair k of chunk i.
 */
export function sessionMembership(candidates: CandidatePairs, rules: readonly CompiledBlockingRule[]): Uint32Array[][] {
  const batches: Uint32Array[][] = [];
  for (let first = 0; first < rules.length; first += MAX_PATTERN_SESSIONS) {
    const batch = rules.slice(first, first + MAX_PATTERN_SESSIONS);
    batches.push(
      candidates.chunks.map(({ left, right }) => {
        const masks = new Uint32Array(left.length);
        batch.forEach((rule, s) => {
          for (let k = 0; k < left.length; k++) if (rule.covers(left[k], right[k])) masks[k] |= 1 << s;
        });
        return masks;
      }),
    );
  }
  return batches;
}

/** Patterns of all candidate pairs and of each session's pairs (see sessionMembership). */
function sessionPatterns(
  candidates: CandidatePairs,
  vectors: readonly ComparisonVectors[],
  membership: readonly Uint32Array[][],
  sessions: number,
): { all: PatternCounts; sessions: PatternCounts[] } {
  if (membership.length === 0) return countSessionPatterns(candidates.chunks, vectors, undefined, 0);
  const counted = membership.map((masks, b) =>
    countSessionPatterns(candidates.chunks, vectors, masks, Math.min(MAX_PATTERN_SESSIONS, sessions - b * MAX_PATTERN_SESSIONS)),
  );
  return { all: counted[0].all, sessions: counted.flatMap((batch) => batch.sessions) };
}

/**
 * Pairs of comparisons whose joint exact cell lies wholly among the candidate
 * pairs: some key rule blocks on no column but theirs (birth date & family name
 * initial holds every pair agreeing exactly on both), so the cell's non-matches
 * can be counted there (see estimateInteractions). Only pairs of person fields
 * (names, birth date, sex, identifiers): relatives who share a family name and a
 * birth date share their address and phone too, so cells of a birth date with
 * each household field hold the same twins again, and their terms added up
 * (four at 2,000 people of the default population: -10.8 bits) took that much
 * from every true match agreeing on all of them (recall 0.9989 -> 0.9919);
 * household evidence already counts once, through its evidence group. Left out
 * too: comparisons of one evidence group, multi-valued ones (their exact level
 * reads columns a rule on the first does not block on), and comparisons without
 * an exact level.
 */
export function interactionCells(
  comparisons: readonly Comparison[],
  rules: readonly CompiledBlockingRule[],
  fieldKinds: ReadonlyMap<string, FieldKind>,
): [number, number][] {
  const cells: [number, number][] = [];
  const eligible = (comparison: Comparison) => exactLevel(comparison) >= 0 && !comparison.valueColumns?.length;
  for (let a = 0; a < comparisons.length; a++) {
    for (let b = a + 1; b < comparisons.length; b++) {
      const [first, second] = [comparisons[a], comparisons[b]];
      if (!eligible(first) || !eligible(second) || first.column === second.column) continue;
      if (first.evidenceGroup !== undefined && first.evidenceGroup === second.evidenceGroup) continue;
      if (!isPersonRule([first.column, second.column], fieldKinds)) continue;
      const pair = new Set([first.column, second.column]);
      if (rules.some(({ rule, columns }) => rule.kind === 'key' && columns.length > 0 && columns.every((column) => pair.has(column)))) cells.push([a, b]);
    }
  }
  return cells;
}

/** What the train stage trains on. */
export interface TrainInput {
  readonly table: RecordTable;
  readonly settings: Settings;
  readonly comparisons: readonly Comparison[];
  readonly pairs: CandidatePairs;
  /** Pairs in the comparison space. */
  readonly space: number;
  readonly vectors: readonly ComparisonVectors[];
  readonly sessionRules: readonly CompiledBlockingRule[];
  /** Every blocking rule that made the candidate pairs (they decide which joint cells lie wholly among them). */
  readonly rules: readonly CompiledBlockingRule[];
  /** The EM session masks, when the compare stage found them. */
  readonly membership: Uint32Array[][] | undefined;
  /** The u sample; undefined exactly when a trained model was given. */
  readonly uSample: USample | undefined;
  /** The model given to link(), if any. */
  readonly model: FellegiSunterModel | undefined;
  readonly progress: (event: ProgressEvent) => void;
}

/** The train stage: the Fellegi-Sunter model, by EM over the blocking sessions, or the one given. */
export async function train(input: TrainInput): Promise<FellegiSunterModel> {
  const { table, comparisons, pairs, sessionRules, uSample } = input;
  const membership = input.membership ?? sessionMembership(pairs, sessionRules);
  let model: FellegiSunterModel;
  if (uSample === undefined) {
    model = input.model!;
  } else {
    const u = await uSample.estimate;
    const counted = sessionPatterns(pairs, input.vectors, membership, sessionRules.length);
    const sessions = sessionRules.map((rule, s) => ({ name: rule.name, columns: rule.columns, patterns: counted.sessions[s] }));
    model = trainModel({
      comparisons,
      u,
      sessions,
      candidatePatterns: counted.all,
      candidateCount: pairs.count,
      uSampleSize: uSample.size,
      totalPairs: input.space,
      em: input.settings.em,
      household: comparisons.map((comparison) => isHouseholdField(comparison.column, table.fieldKinds)),
      defaults: comparisons.map((comparison) => defaultParameters(table.fieldKinds.get(comparison.column), comparison)),
      interactionCells: interactionCells(comparisons, input.rules, table.fieldKinds),
    });
  }
  // 4 bytes a pair per 32 training rules: not needed past training (emptied
  // in place, so the compare stage's result no longer holds them either).
  membership.length = 0;
  input.progress({ stage: 'train', done: 1, total: 1 });
  return model;
}
