// The identity index's public types.
import type { FellegiSunterModel, MatchExplanation, PlainRecord, RecordRef, SourceInput } from '@mpi/core';

export type { RecordRef };

/** Records to index: sources as link() reads them, or plain records by source name. */
export type IndexInput = readonly SourceInput[] | Readonly<Record<string, readonly PlainRecord[]>>;

export interface CreateIndexOptions {
  /** Settings as link() takes them (validated the same way). */
  readonly settings: unknown;
  /** The records to build from (either this or `records`). */
  readonly sources?: readonly SourceInput[];
  /** Plain records by source name (either this or `sources`). */
  readonly records?: Readonly<Record<string, readonly PlainRecord[]>>;
  /** Worker threads (default: the cores). Ids and groups do not depend on it. */
  readonly threads?: number;
  /**
   * A trained model to use instead of training one on the build's records (as
   * link()'s `model`). The model is frozen in the index: build from enough
   * records to train on (one source in link mode has no pairs), or give one.
   */
  readonly model?: FellegiSunterModel;
  /**
   * Lower threshold (match probability): pairs scored from here up to the
   * settings' threshold (which links) go to the review queue. Default 0.1,
   * or the link threshold when that is lower.
   */
  readonly reviewThreshold?: number;
  /**
   * When the model (m, u, prior, term-frequency tables and blocking rules) is
   * trained again over every indexed record: `auto` (the default, unless a
   * `model` is given) on an add that brings a source the model was not trained
   * on, or that grows the index to `refreshGrowth` times the records it was
   * trained on; `manual` only by refreshModel(). Stored in the index.
   */
  readonly modelRefresh?: 'auto' | 'manual';
  /** Growth factor (above 1, default 1.5) from which an add refreshes the model under `auto`. */
  readonly refreshGrowth?: number;
}

export interface OpenIndexOptions {
  /** Worker threads for adds and matches (default: the cores). */
  readonly threads?: number;
  /**
   * The model refresh policy of this handle, over the one stored at build
   * (see CreateIndexOptions.modelRefresh): `manual` keeps every add an
   * incremental one (a server adding records while answering requests).
   */
  readonly modelRefresh?: 'auto' | 'manual';
  /**
   * Called inside each write transaction, after its rows are written and
   * before the commit. For crash tests (a process killed there must leave none
   * of the batch); not for production use.
   */
  readonly beforeCommit?: () => void;
}

/** A group of records the index holds as one person, under a stable id. */
export interface IndexedIdentity {
  readonly id: string;
  readonly records: readonly RecordRef[];
}

/** How much a batch changed, and how long it took. */
export interface ChangeSummary {
  /** The batch's number in the index (1 = the build). */
  readonly batch: number;
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
  readonly decisions: number;
  /** Identities created, merged into another, split, and removed (no records left) by this batch. */
  readonly created: number;
  readonly merged: number;
  readonly split: number;
  readonly retired: number;
  /** Active identities and records after the batch. */
  readonly identities: number;
  readonly records: number;
  /** Pairs in the review band after the batch. */
  readonly review: number;
  readonly seconds: { readonly read: number; readonly score: number; readonly cluster: number; readonly write: number };
  /** Present when the batch trained the model again (refreshModel(), or an add under the `auto` policy). */
  readonly refresh?: ModelRefresh;
}

/** A model refresh: the model trained again over every indexed record, and what it changed. */
export interface ModelRefresh {
  /** The new model's version in the file (1 is the build's; each refresh or refinement adds one). */
  readonly version: number;
  /** Why: requested, a new source, or the index's growth. */
  readonly trigger: string;
  /** Records and sources trained on. */
  readonly records: number;
  readonly sources: readonly string[];
  /** The blocking rules chosen for the records differ from those before (every pair was blocked again either way). */
  readonly rulesChanged: boolean;
  /** "match" decisions m was refined from again (0 unless the model had been refined: see refineModel). */
  readonly labelledPairs: number;
  /** Records indexed before the batch (and kept) whose identity id changed. */
  readonly idsChanged: number;
}

/** FHIR's match-grade: certain (would link), probable and possible (the review band, upper and lower half by match weight), certainly-not. */
export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';

/** A record to match: its source (for the source's column mapping) and its fields. */
export interface MatchQuery {
  readonly source: string;
  readonly record: PlainRecord;
}

export interface MatchOptions {
  /** Candidates returned at most (default 5). */
  readonly count?: number;
  /** Candidates below this match probability are left out (default 0: every candidate blocking found). */
  readonly minProbability?: number;
}

/** A candidate identity for a query record: scored by its best-matching member. */
export interface MatchCandidate {
  readonly identityId: string;
  readonly records: readonly RecordRef[];
  /** The member that scored best against the query. */
  readonly bestRecord: RecordRef;
  readonly matchWeight: number;
  readonly matchProbability: number;
  readonly grade: MatchGrade;
  readonly explanation: MatchExplanation;
}

/** A pair in the review band (between the two thresholds), with its evidence. */
export interface ReviewPair {
  readonly left: RecordRef;
  readonly right: RecordRef;
  readonly matchWeight: number;
  readonly matchProbability: number;
  readonly explanation: MatchExplanation;
}

/** A reviewer's decision on a pair: the same person (must-link) or not (cannot-link). */
export interface Decision {
  readonly left: RecordRef;
  readonly right: RecordRef;
  readonly decision: 'match' | 'non-match';
}

export type EventKind = 'create' | 'merge' | 'split' | 'update' | 'remove' | 'decision' | 'model';

/** One entry of the audit log. */
export interface IndexEvent {
  readonly seq: number;
  readonly batch: number;
  /** ISO time of the batch. */
  readonly time: string;
  readonly kind: EventKind;
  readonly records: readonly RecordRef[];
  /** Identity ids before and after. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** Why: the strongest link's match weight and probability, or the decision. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** What refineModel did: the change it caused, and the new model version with each comparison's m before and after. */
export interface ModelRefinement extends ChangeSummary {
  readonly model: {
    /** The model's version in the file: 1 is the build's, each refinement adds one. */
    readonly version: number;
    /** "match" decisions used as labelled pairs (both records indexed). */
    readonly labelledPairs: number;
    readonly comparisons: readonly { readonly name: string; readonly pairs: number; readonly before: readonly number[]; readonly after: readonly number[] }[];
  };
}

/** An indexed record with the raw text of the columns the settings read. */
export interface IndexedRecordData extends RecordRef {
  /** Raw text by column name (the source's record id column and field columns). */
  readonly data: Readonly<Record<string, string>>;
}

/** An identity and its members' raw fields (see IdentityIndex.identity). */
export interface IdentityView {
  /** The active identity's id: the survivor when `requested` is the alias of a merged identity. */
  readonly id: string;
  /** The id asked for. */
  readonly requested: string;
  /** `retired`: every record of the identity was removed (it has none). */
  readonly status: 'active' | 'retired';
  readonly records: readonly IndexedRecordData[];
}
