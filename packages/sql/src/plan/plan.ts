import type { BlockingRule, KeyTransform } from '@mpi/blocking';
import type { LinkMode } from '@mpi/types';
import type { Expr, Feature } from './expression.js';

/**
 * An engine-neutral plan of the linkage pipeline: typed data, no SQL text.
 * Built from the settings and a trained model by {@link buildLinkagePlan} out of
 * the very definitions the in-process engine runs (the comparison levels, the
 * selected blocking rules, the compiled match weights), so the two cannot
 * drift; a dialect turns it into statements (render-sql.ts).
 */
export interface LinkagePlan {
  readonly version: 1;
  readonly mode: LinkMode;
  /** Every column of the input `records` table the plan reads, with its precomputed feature columns. */
  readonly columns: readonly PlanColumn[];
  /** Blocking rules in order: a pair belongs to the first rule that makes it (each pair once). */
  readonly blocking: readonly PlanBlockingRule[];
  readonly comparisons: readonly PlanComparison[];
  /** log2(prior / (1 - prior)). */
  readonly priorWeight: number;
  /** Interaction terms, added in order after the evidence groups (see InteractionTerm of @mpi/scoring). */
  readonly interactions: readonly PlanInteraction[];
  /** The demographic veto (see Comparison.demographic), or undefined when fewer comparisons are demographic than a veto needs. */
  readonly veto: PlanVeto | undefined;
  /**
   * The identifying comparisons: a pair with none of them present is scored with
   * the household-alone weights (PlanLevel.householdAloneWeight; see
   * householdAloneU of @mpi/scoring). Empty when the model has none.
   */
  readonly identifying: readonly number[];
  /** Number of evidence groups (PlanComparison.evidenceGroup runs 0..groups-1). */
  readonly evidenceGroups: number;
  /** Link when the match weight reaches this (the threshold probability as a weight). */
  readonly thresholdWeight: number;
  readonly threshold: number;
  readonly clustering: {
    /** 'connectedComponents': components of the links; 'averageLinkage': components holding a pair scored below the threshold are split by our own average linkage. */
    readonly method: 'connectedComponents' | 'averageLinkage';
  };
}

/** A column of the records table and the features read from it (`value` is the column itself). */
export interface PlanColumn {
  readonly name: string;
  readonly features: readonly Feature[];
}

/** A blocking key part: the column read, the transform, and the records-table column holding the derived key. */
export interface PlanKeyPart {
  readonly column: string;
  readonly transform: KeyTransform;
  /** The column itself for `exact`, else a precomputed key column `column__key_transform`. */
  readonly keyColumn: string;
}

export interface PlanBlockingRule {
  readonly index: number;
  readonly name: string;
  readonly kind: 'key' | 'sortedNeighbourhood';
  readonly parts: readonly PlanKeyPart[];
  /** Key parts match as a multiset (sorted before comparing). */
  readonly unordered: boolean;
  /** Sorted neighbourhood: each record pairs with the next window - 1 in (key, row) order. */
  readonly window?: number;
  /** The rule as the in-process engine knows it. */
  readonly rule: BlockingRule;
}

export interface PlanLevel {
  readonly index: number;
  readonly label: string;
  /** When the level holds (after every earlier level failed). Level 0's is "either side missing"; the last level's is true. */
  readonly condition: Expr;
  readonly m: number;
  readonly u: number;
  /** log2(m / u); 0 for the null level. */
  readonly weight: number;
  /** The weight of a pair that compares no identifying comparison, where it differs from `weight` (LinkagePlan.identifying). */
  readonly householdAloneWeight?: number;
  /** When set, add log2(tfReferenceU / tf), tf the larger term frequency of the pair's two values. */
  readonly tfReferenceU?: number;
  /** Role in the demographic veto (demographic comparisons only). */
  readonly vetoRole?: 'neutral' | 'disagrees' | 'agrees';
}

export interface PlanComparison {
  readonly index: number;
  readonly name: string;
  readonly column: string;
  /** `column` then its further value columns (Comparison.valueColumns). */
  readonly valueColumns: readonly string[];
  readonly levels: readonly PlanLevel[];
  /** Evidence group index, -1 when the comparison's weight simply adds up. */
  readonly evidenceGroup: number;
  readonly demographic: boolean;
  /**
   * When a level is tf-adjusted: per value column, the records-table column
   * holding the term frequency of the record's value there. The pair's
   * frequency is the rarest value both records hold in any value column, else
   * the larger of their first values' (pairFrequency of @mpi/scoring).
   */
  readonly tfColumns?: readonly string[];
}

/** A pair with comparison `a` at `levelA` and `b` at `levelB`, and each `disagreeing` comparison present at none of its agreeing levels, adds `weight`. */
export interface PlanInteraction {
  readonly a: number;
  readonly levelA: number;
  readonly b: number;
  readonly levelB: number;
  readonly disagreeing: readonly { readonly comparison: number; readonly agreeingLevels: readonly number[] }[];
  readonly weight: number;
}

export interface PlanVeto {
  /** At least this many demographic comparisons disagree outright and none agrees. */
  readonly disagreements: number;
}

/** The records-table column of a feature of a column. */
export function featureColumn(column: string, feature: Feature): string {
  return feature === 'value' ? column : `${column}__${feature}`;
}

/** The records-table column of a derived blocking key. */
export function keyColumn(column: string, transform: KeyTransform): string {
  return transform === 'exact' ? column : `${column}__key_${transform.replace(':', '')}`;
}
