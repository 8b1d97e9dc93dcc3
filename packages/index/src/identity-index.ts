// The identity index: a persistent MPI over the linkage pipeline. Records are
// kept raw; a change scores records with the frozen model, rules and term
// frequencies (an add of new records only its own pairs, against the pairs and
// blocking keys held in memory; updates, removals and decisions all records),
// clusters them with the decisions (an add only the components it touches), and
// carries the identity ids over (stable-ids.ts), all written in one transaction.
// A model refresh trains the frozen parts again over every record
// (train-model.ts), on request or on an add the policy names (refresh-policy.ts).
import { existsSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BlockingRule } from '@mpi/blocking';
import { buildRecordTable, MpiError, parseModel, serializeModel, validateSettings, type PlainRecord, type RecordTable, type Settings, type SourceInput } from '@mpi/core';
import { DEFAULTS, explainRows, thresholdWeight, type ClusteringMethod } from '@mpi/core/advanced';
import { compileVectorizer, matchProbability, type FellegiSunterModel } from '@mpi/scoring';
import { batchOutcome, type BatchOutcome, type PendingEvent } from './batch-changes.js';
import { BlockingKeys } from './blocking-keys.js';
import { rowOf, touchedComponents } from './cluster-scope.js';
import { dropRows } from './drop-rows.js';
import { scoreAdded } from './incremental-add.js';
import { readStoredPairs, writeStoredPairs } from './stored-pairs.js';
import { identityView } from './identity-view.js';
import { matchCandidates } from './match.js';
import { padFields } from './pad-fields.js';
import { refinedM } from './refine-m.js';
import { readRawRecords, recordKey, type RawRecord } from './raw-records.js';
import { scorePairs, scoreTable, sourcesOf, termFrequencyInputsOf, type FrozenParts, type ScoredTable, type StoredTermFrequencies } from './scored-table.js';
import type { IdentityAges } from './stable-ids.js';
import { DEFAULT_REFRESH_GROWTH, refreshPolicy, refreshTrigger, trainedOn, type ModelRefreshPolicy, type TrainedOn } from './refresh-policy.js';
import { trainParts } from './train-model.js';
import { IndexStore, type DecisionRow, type IdentityRow, type RecordEntry, type ReviewRow } from './store.js';
import { TABLE_LAYOUT, tableOf, tableParts, type TableManifest } from './stored-table.js';
import { caughtUp, type KeyedTable } from './table-catch-up.js';
import type {
  ChangeSummary,
  CreateIndexOptions,
  Decision,
  IdentityView,
  IndexedIdentity,
  IndexEvent,
  IndexInput,
  MatchCandidate,
  MatchOptions,
  MatchQuery,
  ModelRefinement,
  ModelRefresh,
  OpenIndexOptions,
  RecordRef,
  ReviewPair,
} from './types.js';

/**
 * Share of the records changed (added, updated, removed) since the stored
 * table was written from which a change writes it whole again; below it, an
 * opened index brings the stored table up to date (table-catch-up.ts). Writing
 * it whole took 20-25 s of every add at a million records on a loaded host;
 * catching up on 5% of them normalizes 50,000 records on open.
 */
const TABLE_REWRITE_SHARE = 0.05;

/** Default lower threshold of the review band (see CreateIndexOptions.reviewThreshold). */
export const DEFAULT_REVIEW_THRESHOLD = 0.1;

/** A record as the open index holds it: its raw fields stay in the file (recordsAfter reads them when every record is scored again). */
interface IndexedRecord extends RecordEntry {
  identityId: string;
  seq: number | undefined;
}

function threadsOf(threads: number | undefined): number {
  const requested = threads ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) throw new MpiError('BAD_THREADS', 'threads must be a positive integer');
  return Math.min(requested, availableParallelism());
}

function toSources(input: IndexInput): SourceInput[] {
  if (Array.isArray(input)) return [...(input as readonly SourceInput[])];
  return Object.entries(input as Record<string, readonly PlainRecord[]>).map(([name, records]) => ({ name, records }));
}

/** A change scored on the held pairs (see IdentityIndex.scoreChange). */
interface ChangeScope {
  readonly scored: ScoredTable;
  readonly keys: BlockingKeys | undefined;
  /** Rows of `scored` whose components the change touches. */
  readonly seeds: Uint32Array;
  /** The first chunk of the change's new pairs. */
  readonly firstNewChunk: number;
}

/** Identity ages read from the file one id at a time, as a change needs them (not every identity on every change). */
class StoredAges implements IdentityAges {
  private readonly read = new Map<string, IdentityRow | undefined>();
  constructor(private readonly store: IndexStore) {}
  get(id: string): IdentityRow | undefined {
    if (!this.read.has(id)) this.read.set(id, this.store.identity(id));
    return this.read.get(id);
  }
  has(id: string): boolean {
    return this.get(id) !== undefined;
  }
}

/** What a batch changed, for the events of the change itself (see IdentityIndex.apply). */
interface OutcomeCounts {
  readonly created: number;
  readonly merged: number;
  readonly split: number;
  /** Records indexed before the batch whose identity id changed. */
  readonly idsChanged: number;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * A persistent identity index in one SQLite file. Create one with
 * {@link createIndex}, open it again with {@link openIndex}; close it when done.
 * Writes (add, remove, decide) are each one transaction.
 */
export class IdentityIndex {
  private constructor(
    private readonly store: IndexStore,
    private frozen: FrozenParts,
    private readonly threads: number,
    /** Every indexed record, by recordKey, in memory while the index is open. */
    private readonly records: Map<string, IndexedRecord>,
    /** Match probability from which records link, and from which pairs go to review. */
    readonly thresholds: { readonly link: number; readonly review: number },
    private readonly beforeCommit: () => void = () => {},
    /** Batches committed when this view was loaded or last wrote. */
    private batches = 0,
  ) {}

  /** The indexed records normalized: the last change's table, or read from the file (or built from the records) on first use (see indexTable). */
  private table: RecordTable | undefined;
  /** The blocking keys of `table` (null: a rule is not a key rule); undefined until built for a table built from the records. */
  private keys: BlockingKeys | null | undefined;
  /** The file holds `table` and `keys` as they are (see stored-table.ts). */
  private tableStored = false;
  /** @internal Where the table of this handle came from on first use: the file's stored table, or normalizing every record. */
  tableFrom: 'file' | 'records' | undefined;
  /** @internal Batches between the stored table read on first use and the file's last (their changes were caught up). */
  tableBehind = 0;
  /** @internal Pairs compared and scored by the last match (what the tests check a match touches). */
  lastMatchPairs = 0;
  /** The records' pairs and match weights of the last change (its table is `table`), held so an add scores only its new pairs. */
  private held: ScoredTable | undefined;
  /** @internal Pairs compared and scored by the last add, remove or decision. */
  lastScoredPairs = 0;
  /** The held pairs were scored after the file was opened and are not stored yet (a file from before pairs were stored). */
  private pairsUnsaved = false;
  /** Active identities after the last change (read from the file on the first change). */
  private activeIdentities: number | undefined;
  /** How the model is trained again (see refreshModel): the settings as given, the refresh policy, what the model was trained on. */
  private training: { settings: Settings; policy: ModelRefreshPolicy; trainedOn: TrainedOn | undefined } | undefined;
  /** The sources of the indexed records (computed on the first add that needs them, then kept up to date). */
  private sources: Set<string> | undefined;
  /** @internal Score every record again on each change, as before changes were incremental: what the tests compare with. */
  rescoreAll = false;

  /** @internal See createIndex. */
  static async create(path: string, options: CreateIndexOptions): Promise<{ index: IdentityIndex; summary: ChangeSummary }> {
    const sources = options.sources ?? (options.records !== undefined ? toSources(options.records) : undefined);
    if (sources === undefined) throw new MpiError('NO_SOURCES', 'createIndex needs sources or records');
    if (existsSync(path)) throw new MpiError('INDEX_EXISTS', 'the index file already exists; open it, or remove it to build a new one');
    // Checked without the source names: an index's settings may map sources that come later.
    const settings = validateSettings(options.settings);
    const threads = threadsOf(options.threads);
    const policy = refreshPolicy(options.modelRefresh, options.refreshGrowth, options.model !== undefined);
    let clock = performance.now();
    const raw = await readRawRecords(sources, settings);
    const { frozen, scored: held } = await trainParts(settings, sources, threads, options.model);
    const read = seconds(clock);
    clock = performance.now();
    const method = settings.clustering ?? DEFAULTS.clustering;
    const rules = frozen.rules;
    const linkThreshold = settings.threshold ?? DEFAULTS.threshold;
    const review = Math.min(options.reviewThreshold ?? DEFAULT_REVIEW_THRESHOLD, linkThreshold);
    const score = seconds(clock);

    // Built in a file beside the target and renamed into place once complete:
    // an interrupted build leaves no half-built index at `path`.
    const building = `${path}.${process.pid}.building`;
    const store = IndexStore.create(building);
    let summary: ChangeSummary;
    let builder: IdentityIndex;
    try {
      store.transaction(() => {
        store.setMeta('settings', JSON.stringify(frozen.settings));
        store.setMeta('model', serializeModel(frozen.model));
        store.setMeta('rules', JSON.stringify(rules));
        store.setMeta('tf', JSON.stringify(frozen.tf));
        store.setMeta('thresholds', JSON.stringify({ link: linkThreshold, review, method }));
        store.setMeta('given_settings', JSON.stringify(settings));
        store.setMeta('model_refresh', JSON.stringify(policy));
        store.setMeta('trained_on', JSON.stringify(trainedOn(raw)));
      });
      builder = new IdentityIndex(store, frozen, threads, new Map(), { link: linkThreshold, review });
      const added = new Map(raw.map((record) => [recordKey(record.source, record.recordId), record]));
      summary = builder.apply('build', held, { added, updated: new Map(), removed: [], newDecisions: [] }, { read, score });
      store.close();
      if (existsSync(path)) throw new MpiError('INDEX_EXISTS', 'the index file already exists; open it, or remove it to build a new one');
      renameSync(building, path);
    } catch (error) {
      if (store.db.open) store.close();
      rmSync(building, { force: true });
      throw error;
    }
    const index = IdentityIndex.open(path, { threads });
    // The build's pairs, weights, table and keys are the index's: the first add scores only its own pairs.
    index.held = held;
    index.table = held.table;
    index.keys = builder.keys;
    index.tableStored = builder.tableStored;
    return { index, summary };
  }

  /** @internal See openIndex. */
  static open(path: string, options: OpenIndexOptions = {}): IdentityIndex {
    const store = IndexStore.open(path);
    const model = parseModel(store.meta('model')!);
    const settings = JSON.parse(store.meta('settings')!) as Settings;
    const rules = JSON.parse(store.meta('rules')!) as BlockingRule[];
    const tf = JSON.parse(store.meta('tf')!) as (StoredTermFrequencies | null)[];
    const thresholds = JSON.parse(store.meta('thresholds')!) as { link: number; review: number };
    const records = new Map<string, IndexedRecord>();
    for (const record of store.recordEntries()) records.set(recordKey(record.source, record.recordId), record);
    const batches = store.batchCount();
    const index = new IdentityIndex(store, { settings, model, rules, tf }, threadsOf(options.threads), records, thresholds, options.beforeCommit, batches);
    const given = store.meta('given_settings');
    const policy = store.meta('model_refresh');
    const trained = store.meta('trained_on');
    // A file from before model refreshes: its settings as given are not known apart from the frozen rules (kept),
    // nor what its model was trained on, and it refreshes only on request.
    index.training = {
      settings: given === undefined ? settings : (JSON.parse(given) as Settings),
      policy: {
        ...(policy === undefined ? { mode: 'manual', growth: DEFAULT_REFRESH_GROWTH } : (JSON.parse(policy) as ModelRefreshPolicy)),
        ...(options.modelRefresh !== undefined ? { mode: refreshPolicy(options.modelRefresh, undefined, false).mode } : {}),
      },
      trainedOn: trained === undefined ? undefined : (JSON.parse(trained) as TrainedOn),
    };
    return index;
  }

  /** The settings the index was built with (its blocking rules frozen in). */
  get settings(): Settings {
    return this.frozen.settings;
  }

  private get method(): ClusteringMethod {
    return this.frozen.settings.clustering ?? DEFAULTS.clustering;
  }

  /** Scores the given records (every record the index will hold) with the frozen parts; undefined when there are none. */
  private async score(records: Iterable<RawRecord>): Promise<ScoredTable | undefined> {
    const sources = sourcesOf(records);
    if (sources.length === 0) return undefined;
    const scored = await scoreTable(sources, this.frozen, this.threads);
    this.lastScoredPairs = scored.pairs.count;
    return scored;
  }

  /**
   * Adds records (one or a batch of any size): scored with the stored model,
   * clustered into the identities. A record whose source and record id are
   * indexed already replaces it (an update). One transaction.
   */
  async add(input: IndexInput): Promise<ChangeSummary> {
    let clock = performance.now();
    const sources = toSources(input);
    const raw = await readRawRecords(sources, this.frozen.settings);
    const added = new Map<string, RawRecord>();
    const updated = new Map<string, RawRecord>();
    for (const record of raw) {
      const key = recordKey(record.source, record.recordId);
      if (added.has(key) || updated.has(key)) throw new MpiError('DUPLICATE_RECORD_ID', `source "${record.source}" repeats a record id in this batch`);
      const known = this.records.get(key);
      if (known === undefined) added.set(key, record);
      // Compared with the raw text as stored (putRecord writes JSON.stringify of the same fields).
      else if (this.store.recordText(known.source, known.recordId) !== JSON.stringify(record.data)) updated.set(key, record);
    }
    const read = seconds(clock);
    clock = performance.now();
    const trigger = this.refreshTriggerOf(added);
    const change = { added, updated, removed: [], newDecisions: [] };
    // The add and the model trained again over every record it leaves: one batch, one transaction.
    if (trigger !== undefined) return this.retrain('add', this.recordsAfter(change), trigger, change, read);
    const scope = this.rescoreAll ? undefined : await this.scoreChange(added, updated);
    if (scope !== undefined) return this.apply('add', scope.scored, change, { read, score: seconds(clock) }, scope);
    return this.apply('add', await this.score(this.recordsAfter(change).values()), change, { read, score: seconds(clock) });
  }

  /**
   * Every record with its raw fields as the index holds them after `change`
   * (read from the file, the removed ones left out, the added and updated put
   * in): what a change that scores or trains on every record reads.
   */
  private recordsAfter(change: { added?: ReadonlyMap<string, RawRecord>; updated?: ReadonlyMap<string, RawRecord>; removed?: readonly IndexedRecord[] } = {}): Map<string, RawRecord> {
    const next = new Map<string, RawRecord>();
    for (const { source, recordId, data } of this.store.records()) next.set(recordKey(source, recordId), { source, recordId, data });
    for (const record of change.removed ?? []) next.delete(recordKey(record.source, record.recordId));
    for (const [key, record] of [...(change.added ?? []), ...(change.updated ?? [])]) next.set(key, record);
    return next;
  }

  /** Why adding `added` should refresh the model under this handle's policy (see refresh-policy.ts), or undefined. */
  private refreshTriggerOf(added: ReadonlyMap<string, RawRecord>): string | undefined {
    if (this.training === undefined || added.size === 0 || this.training.policy.mode !== 'auto') return undefined;
    // The indexed sources too: a handle opened with `manual` may have added a source the model was not trained on.
    this.sources ??= new Set([...this.records.values()].map((record) => record.source));
    const sources = new Set([...this.sources, ...[...added.values()].map((record) => record.source)]);
    return refreshTrigger(this.training.policy, this.training.trainedOn, sources, this.records.size + added.size);
  }

  /**
   * Trains the model again over every indexed record (see refreshModel): the
   * same training link() does, the blocking rules chosen again, every pair
   * blocked and scored again, then clustered with the decisions, the ids
   * carried over by the usual rules, and the new model version logged with what
   * triggered it and what it changed. One transaction.
   */
  async refreshModel(): Promise<ChangeSummary & { refresh: ModelRefresh }> {
    if (this.records.size === 0) throw new MpiError('EMPTY_INDEX', 'the index holds no records to train a model on');
    return this.retrain('refresh', this.recordsAfter(), 'requested', { added: new Map(), updated: new Map(), removed: [], newDecisions: [] }, 0);
  }

  /** Trains on `records` (every record the index holds after `change`), then applies `change` with the new model. */
  private async retrain(
    kind: string,
    records: ReadonlyMap<string, RawRecord>,
    trigger: string,
    change: { added: Map<string, RawRecord>; updated: Map<string, RawRecord>; removed: IndexedRecord[]; newDecisions: DecisionRow[] },
    read: number,
  ): Promise<ChangeSummary & { refresh: ModelRefresh }> {
    const clock = performance.now();
    const training = this.training!;
    const { frozen: trained, scored: linked } = await trainParts(training.settings, sourcesOf(records.values()), this.threads);
    let frozen = trained;
    let scored = linked;
    let labelledPairs = 0;
    // m refined from reviewers' decisions is not thrown away: the refinement is applied again to the new m.
    if (this.store.meta('m_refined') === '1') {
      const levels = this.labelledLevels(linked.table, trained.model);
      if (levels.length > 0) {
        frozen = { ...trained, model: refinedM(trained.model, levels).model };
        scored = { ...linked, weights: (await scorePairs(linked.table, frozen, linked.pairs.chunks, this.threads)).weights };
        labelledPairs = levels.length;
      }
    }
    this.lastScoredPairs = scored.pairs.count;
    const version = this.modelVersion() + 1;
    const on = trainedOn(records.values());
    const rulesChanged = JSON.stringify(frozen.rules) !== JSON.stringify(this.frozen.rules);
    let refresh: ModelRefresh | undefined;
    const events = (counts: OutcomeCounts): PendingEvent[] => {
      refresh = { version, trigger, records: on.records, sources: on.sources, rulesChanged, labelledPairs, idsChanged: counts.idsChanged };
      return [{ kind: 'model', records: [], before: [], after: [], evidence: { rule: 'model trained again over every record', ...refresh, created: counts.created, merged: counts.merged, split: counts.split } }];
    };
    const meta = {
      settings: JSON.stringify(frozen.settings),
      model: serializeModel(frozen.model),
      rules: JSON.stringify(frozen.rules),
      tf: JSON.stringify(frozen.tf),
      model_version: String(version),
      trained_on: JSON.stringify(on),
    };
    const previous = this.frozen;
    this.frozen = frozen;
    try {
      const summary = this.apply(kind, scored, { ...change, events, meta }, { read, score: seconds(clock) });
      this.training = { ...training, trainedOn: on };
      return { ...summary, refresh: refresh! };
    } catch (error) {
      this.frozen = previous;
      this.held = undefined;
      throw error;
    }
  }

  /** The model's version in the file (1: the build's). */
  private modelVersion(): number {
    return Number(this.store.meta('model_version') ?? '1');
  }

  /** The comparison levels of the stored "match" decisions' pairs (labelled pairs) on `table`, under `model`'s comparisons. */
  private labelledLevels(table: RecordTable, model: FellegiSunterModel): Uint8Array[] {
    const vectorizer = compileVectorizer(table, model.comparisons);
    const levels: Uint8Array[] = [];
    for (const d of this.store.decisions()) {
      if (d.decision !== 'match') continue;
      const [l, r] = [rowOf(table, d.sourceL, d.recordIdL), rowOf(table, d.sourceR, d.recordIdR)];
      if (l < 0 || r < 0 || l === r) continue;
      const vector = new Uint8Array(model.comparisons.length);
      vectorizer.vectorize(Math.min(l, r), Math.max(l, r), vector, 0);
      levels.push(vector);
    }
    return levels;
  }

  /** The held scores and blocking keys, scoring every record when nothing is held (an index just opened); undefined for an empty index. */
  private async heldScores(): Promise<{ held: ScoredTable; keys: BlockingKeys | null } | undefined> {
    if (this.held === undefined && this.records.size > 0) {
      // Pairs are read only when every record has its version (the file's pairs were written for all of them).
      if (this.store.meta('pairs') === 'held' && [...this.records.values()].every((record) => record.seq !== undefined)) this.held = await this.storedScores();
      else {
        // A file from before pairs were stored: scored once, and all its pairs stored with the next change.
        this.held = await this.score(this.recordsAfter().values());
        this.table = this.held?.table;
        this.keys = undefined;
        this.tableStored = false;
        this.pairsUnsaved = true;
      }
    }
    if (this.held === undefined) return undefined;
    const keys = (this.keys ??= BlockingKeys.build(this.held.table, this.frozen.rules) ?? null);
    return { held: this.held, keys };
  }

  /** The records' pairs and weights as stored in the file (nothing compared or scored). */
  private async storedScores(): Promise<ScoredTable> {
    const table = await this.indexTable();
    const pairs = readStoredPairs(this.store, table, (key) => this.records.get(key)!.seq!);
    return { table, ...pairs, tf: termFrequencyInputsOf(table, this.frozen.tf) };
  }

  /** Rows of the records linked to `refs` by a "match" decision (a link of theirs that scores do not show). */
  private decisionPartners(table: RecordTable, refs: ReadonlySet<string>, decisions: readonly DecisionRow[]): number[] {
    const partners: number[] = [];
    for (const d of decisions) {
      if (d.decision !== 'match') continue;
      const [l, r] = [recordKey(d.sourceL, d.recordIdL), recordKey(d.sourceR, d.recordIdR)];
      if (refs.has(l)) partners.push(rowOf(table, d.sourceR, d.recordIdR));
      if (refs.has(r)) partners.push(rowOf(table, d.sourceL, d.recordIdL));
    }
    return partners.filter((row) => row >= 0);
  }

  /**
   * The held scores with the changed records' old rows and pairs dropped
   * (`gone`: removed, or updated) and the new records' pairs (`added`, and the
   * new version of updated ones) scored and merged in, the rows whose
   * components the change touches (`seeds`), and the first chunk of new pairs.
   * Undefined when that does not apply (nothing indexed, a blocking rule that is not a key rule).
   */
  private async scoreChange(added: ReadonlyMap<string, RawRecord>, updated: ReadonlyMap<string, RawRecord>, removed: readonly IndexedRecord[] = []): Promise<ChangeScope | undefined> {
    const start = await this.heldScores();
    if (start === undefined || start.keys === null) return undefined;
    let { held } = start;
    let keys: BlockingKeys = start.keys;
    let seeds: Uint32Array = new Uint32Array(0);
    const gone = new Set([...updated.keys(), ...removed.map((record) => recordKey(record.source, record.recordId))]);
    if (gone.size > 0) {
      const rows = [...gone].map((key) => {
        const { source, recordId } = this.records.get(key)!;
        return rowOf(held.table, source, recordId);
      });
      const partners = this.decisionPartners(held.table, gone, this.store.decisions());
      const dropped = dropRows(held, keys, rows, thresholdWeight(this.thresholds.link), partners, this.frozen);
      ({ scored: held, seeds } = dropped);
      keys = dropped.keys!;
    }
    const fresh = [...added.values(), ...updated.values()];
    if (fresh.length === 0) {
      this.lastScoredPairs = 0;
      return { scored: held, keys, seeds, firstNewChunk: held.pairs.chunks.length };
    }
    // A batch of a source that maps fewer fields than the index's table still has every field's column (padFields).
    const table = padFields(await buildRecordTable(sourcesOf(fresh), this.frozen.settings, this.threads), held.table);
    const { pairsScored, scored, keys: merged, addedRows, baseRow, firstNewChunk } = await scoreAdded(held, keys, table, this.frozen, this.threads);
    this.lastScoredPairs = pairsScored;
    const all = new Uint32Array(addedRows.length + seeds.length);
    all.set(addedRows);
    all.set(seeds.map((row) => baseRow[row]), addedRows.length);
    return { scored, keys: merged, seeds: all, firstNewChunk };
  }

  /** Removes records by source and record id (unknown ones are ignored). One transaction. */
  async remove(refs: readonly RecordRef[]): Promise<ChangeSummary> {
    const clock = performance.now();
    const removed = refs
      .map((ref) => this.records.get(recordKey(ref.source, ref.recordId)))
      .filter((record): record is IndexedRecord => record !== undefined);
    const change = { added: new Map(), updated: new Map(), removed, newDecisions: [] };
    if (removed.length > 0 && removed.length < this.records.size && !this.rescoreAll) {
      const scope = await this.scoreChange(new Map(), new Map(), removed);
      if (scope !== undefined) return this.apply('remove', scope.scored, change, { read: 0, score: seconds(clock) }, scope);
    }
    return this.apply('remove', await this.score(this.recordsAfter(change).values()), change, { read: 0, score: seconds(clock) });
  }

  /**
   * Stores reviewers' decisions: "match" joins the two records' identities,
   * "non-match" keeps them apart, from now on and through every later add.
   * One transaction.
   */
  async decide(decisions: readonly Decision[]): Promise<ChangeSummary> {
    const clock = performance.now();
    const rows: DecisionRow[] = decisions.map(({ left, right, decision }) => {
      for (const ref of [left, right]) {
        if (!this.records.has(recordKey(ref.source, ref.recordId))) throw new MpiError('UNKNOWN_RECORD', `a decision names a record that is not in source "${ref.source}" of the index`);
      }
      if (decision !== 'match' && decision !== 'non-match') throw new MpiError('BAD_DECISION', 'a decision is "match" or "non-match"');
      // Stored in one orientation, so a later decision on the same pair replaces it.
      const [l, r] = recordKey(left.source, left.recordId) <= recordKey(right.source, right.recordId) ? [left, right] : [right, left];
      return { sourceL: l.source, recordIdL: l.recordId, sourceR: r.source, recordIdR: r.recordId, decision };
    });
    const change = { added: new Map(), updated: new Map(), removed: [], newDecisions: rows };
    const start = this.rescoreAll ? undefined : await this.heldScores();
    if (start !== undefined) {
      // Scores do not change: only the components of the decided records are clustered again.
      const decided = rows.flatMap((d) => [rowOf(start.held.table, d.sourceL, d.recordIdL), rowOf(start.held.table, d.sourceR, d.recordIdR)]);
      this.lastScoredPairs = 0;
      const scope = { scored: start.held, keys: start.keys ?? undefined, seeds: Uint32Array.from(decided).sort(), firstNewChunk: start.held.pairs.chunks.length };
      return this.apply('decision', start.held, change, { read: 0, score: seconds(clock) }, scope);
    }
    return this.apply('decision', await this.score(this.recordsAfter().values()), change, { read: 0, score: seconds(clock) });
  }

  /** The model scores come from: trained at build, or refined from decisions since (refineModel). */
  get model(): FellegiSunterModel {
    return this.frozen.model;
  }

  /**
   * Re-estimates m from the stored "match" decisions (labelled pairs; u stays
   * as trained from random pairs), stores the new model version with an event
   * in the log, and scores and clusters every record with it. Opt-in: scores,
   * groups and ids may change. One transaction.
   */
  async refineModel(): Promise<ModelRefinement> {
    const clock = performance.now();
    const matches = this.store.decisions().filter((d) => d.decision === 'match');
    if (matches.length === 0) throw new MpiError('NO_DECISIONS', 'refining the model needs "match" decisions (labelled pairs); there are none');
    const levels = this.labelledLevels(await this.indexTable(), this.frozen.model);
    const { model, comparisons } = refinedM(this.frozen.model, levels);
    const version = this.modelVersion() + 1;
    const previous = this.frozen;
    this.frozen = { ...previous, model };
    try {
      const scored = await this.score(this.recordsAfter().values());
      const event: PendingEvent = { kind: 'model', records: [], before: [], after: [], evidence: { rule: 'm refined from match decisions', version, labelledPairs: levels.length, comparisons } };
      // Marked so a model refresh applies the refinement again to the m it re-estimates.
      const meta = { model: serializeModel(model), model_version: String(version), m_refined: '1' };
      const summary = this.apply('refine', scored, { added: new Map(), updated: new Map(), removed: [], newDecisions: [], events: () => [event], meta }, { read: 0, score: seconds(clock) });
      return { ...summary, model: { version, labelledPairs: levels.length, comparisons } };
    } catch (error) {
      this.frozen = previous;
      this.held = undefined;
      throw error;
    }
  }

  /** Clusters, assigns ids and writes a batch in one transaction; updates the in-memory records after the commit. */
  private apply(
    kind: string,
    scored: ScoredTable | undefined,
    change: {
      added: Map<string, RawRecord>;
      updated: Map<string, RawRecord>;
      removed: IndexedRecord[];
      newDecisions: DecisionRow[];
      /** Events of the change itself (a new model version, with the counts of what it changed), logged before the merges and splits it causes. */
      events?: (counts: OutcomeCounts) => PendingEvent[];
      /** File metadata the change replaces (a new model). */
      meta?: Record<string, string>;
    },
    timing: { read: number; score: number },
    /**
     * A change scored on the held pairs: only the components of its seed rows
     * are clustered again, and only its new pairs (chunks from firstNewChunk)
     * can enter the review queue.
     */
    scope?: ChangeScope,
  ): ChangeSummary {
    let clock = performance.now();
    // The batches this view of the index has seen: another process's commit since then makes it stale.
    const batch = this.batches + 1;
    const time = new Date().toISOString();
    const ages = new StoredAges(this.store);
    // A new decision on a pair replaces the stored one (it is stored so, in one orientation).
    const pairOf = (d: DecisionRow) => `${recordKey(d.sourceL, d.recordIdL)}\u0001${recordKey(d.sourceR, d.recordIdR)}`;
    const decisions = [...new Map([...this.store.decisions(), ...change.newDecisions].map((d) => [pairOf(d), d])).values()];
    const touched = scored === undefined || scope === undefined ? scored : touchedComponents(scored, scope.seeds, thresholdWeight(this.thresholds.link), decisions);
    const previous = new Map<string, string>();
    if (touched === scored) {
      const removed = new Set(change.removed);
      for (const [key, record] of this.records) if (!removed.has(record)) previous.set(key, record.identityId);
    } else {
      // Identities outside the touched components keep their ids: only those inside are carried over.
      for (let r = 0; r < touched!.table.size; r++) {
        const key = recordKey(touched!.table.sources[touched!.table.source[r]], touched!.table.recordIds[r]);
        const known = this.records.get(key);
        if (known !== undefined) previous.set(key, known.identityId);
      }
    }
    const outcome: BatchOutcome = batchOutcome({
      scored: touched,
      threshold: this.thresholds.link,
      method: this.method,
      decisions,
      previous,
      added: new Set(change.added.keys()),
      updated: new Set(change.updated.keys()),
      removed: change.removed,
      newDecisions: change.newDecisions,
      ages,
      batch,
    });
    const review = scored === undefined ? [] : this.reviewRows(scored, decisions, scope?.firstNewChunk ?? 0);
    const cluster = seconds(clock);
    clock = performance.now();

    const { assignment, identityOf, retired, events } = outcome;
    const merged = assignment.merges.reduce((n, m) => n + m.absorbed.length, 0);
    let idsChanged = 0;
    for (const [key, id] of identityOf) if (this.records.has(key) && this.records.get(key)!.identityId !== id) idsChanged++;
    const ownEvents = change.events?.({ created: assignment.created.length, merged, split: assignment.splits.length, idsChanged }) ?? [];
    const recordCount = change.added.size + change.updated.size + change.removed.length;
    // The table and keys after the change (an add's keys come merged; a change that scored everything builds them),
    // stored with it when it scored everything or the records changed since the stored table reach TABLE_REWRITE_SHARE.
    const keys = scored === undefined ? undefined : (scope?.keys ?? BlockingKeys.build(scored.table, this.frozen.rules) ?? null);
    const stored = scored === undefined || (scope !== undefined && !this.tableDue(recordCount)) ? undefined : tableParts(scored.table, keys!, this.frozen.rules, batch);
    let seqOf = new Map<string, number>();
    this.store.transaction(() => {
      if (this.store.batchCount() !== this.batches) {
        throw new MpiError('INDEX_CHANGED', 'another process changed the index since it was opened here; open it again and repeat the change');
      }
      this.store.newBatch(kind, recordCount, time);
      const removed = new Set(change.removed.map((record) => recordKey(record.source, record.recordId)));
      seqOf = writeStoredPairs(this.store, batch, {
        scored,
        changed: [...change.added.keys(), ...change.updated.keys()],
        versionOf: (key) => this.records.get(key)?.seq,
        unversioned: () => [...this.records].filter(([key, record]) => record.seq === undefined && !removed.has(key)).map(([key, { source, recordId }]) => ({ key, source, recordId })),
        all: scope === undefined || this.pairsUnsaved,
        firstNewChunk: scope?.firstNewChunk ?? 0,
      });
      for (const [key, record] of [...change.added, ...change.updated]) {
        this.store.putRecord(record.source, record.recordId, record.data, identityOf.get(key)!, batch, seqOf.get(key)!);
      }
      for (const record of change.removed) this.store.deleteRecord(record.source, record.recordId);
      for (const [key, id] of identityOf) {
        const record = this.records.get(key);
        if (record !== undefined && id !== record.identityId && !change.updated.has(key)) this.store.setIdentityOf(record.source, record.recordId, id);
      }
      assignment.created.forEach((g, order) => this.store.putIdentity({ id: assignment.ids[g], createdBatch: batch, createdOrder: order, status: 'active', aliasOf: null }));
      for (const { survivor, absorbed } of assignment.merges) {
        for (const id of absorbed) this.store.putIdentity({ ...ages.get(id)!, id, status: 'merged', aliasOf: survivor });
      }
      for (const id of retired) this.store.putIdentity({ ...ages.get(id)!, id, status: 'removed', aliasOf: null });
      for (const decision of change.newDecisions) this.store.putDecision(decision, batch);
      if (scope === undefined) this.store.replaceReview(review);
      else {
        // The queue holds the pairs of the records kept as they were: those of changed records and decided pairs leave it.
        for (const record of [...change.removed, ...change.updated.values()]) this.store.deleteReviewOf(record.source, record.recordId);
        for (const decision of change.newDecisions) this.store.deleteReviewPair(decision);
        this.store.addReview(review);
      }
      for (const [key, value] of Object.entries(change.meta ?? {})) this.store.setMeta(key, value);
      if (scored === undefined) this.store.clearTable();
      else if (stored !== undefined) this.store.putTable(JSON.stringify(stored.manifest), stored.parts);
      for (const event of [...ownEvents, ...events]) this.writeEvent(event, batch, time);
      this.beforeCommit();
    });
    // Committed: the in-memory view follows.
    this.batches = batch;
    this.table = scored?.table;
    this.keys = keys;
    this.tableStored = true;
    this.held = scored;
    for (const record of change.removed) this.records.delete(recordKey(record.source, record.recordId));
    if (change.removed.length > 0) this.sources = undefined;
    for (const record of change.added.values()) this.sources?.add(record.source);
    this.pairsUnsaved = false;
    for (const [key, { source, recordId }] of [...change.added, ...change.updated]) this.records.set(key, { source, recordId, identityId: identityOf.get(key)!, seq: undefined });
    for (const [key, seq] of seqOf) this.records.get(key)!.seq = seq;
    for (const [key, id] of identityOf) {
      const record = this.records.get(key);
      if (record !== undefined) record.identityId = id;
    }
    if (this.activeIdentities === undefined) this.activeIdentities = this.store.activeIdentityCount();
    else this.activeIdentities += assignment.created.length - merged - retired.length;
    return {
      batch,
      added: change.added.size,
      updated: change.updated.size,
      removed: change.removed.length,
      decisions: change.newDecisions.length,
      created: assignment.created.length,
      merged,
      split: assignment.splits.length,
      retired: retired.length,
      identities: this.activeIdentities,
      records: this.records.size,
      review: scope === undefined ? review.length : this.store.reviewCount(),
      seconds: { read: timing.read, score: timing.score, cluster, write: seconds(clock) },
    };
  }

  /** Whether a change of `records` records writes the table whole: none of this layout is stored, or the records changed since it reach TABLE_REWRITE_SHARE. */
  private tableDue(records: number): boolean {
    const text = this.store.meta('table');
    if (text === undefined) return true;
    const { layout, batch } = JSON.parse(text) as TableManifest;
    return layout !== TABLE_LAYOUT || this.store.recordsChangedSince(batch) + records >= TABLE_REWRITE_SHARE * this.records.size;
  }

  private writeEvent(event: PendingEvent, batch: number, time: string): void {
    this.store.addEvent(
      {
        batch,
        time,
        kind: event.kind,
        records: JSON.stringify(event.records.map((ref) => [ref.source, ref.recordId])),
        before: JSON.stringify(event.before),
        after: JSON.stringify(event.after),
        evidence: JSON.stringify(event.evidence),
      },
      [...event.before, ...event.after],
    );
  }

  /** Pairs scored in the review band (of the chunks from `firstChunk` on) that no decision settled, with their explanation. */
  private reviewRows(scored: ScoredTable, decisions: readonly DecisionRow[], firstChunk: number): ReviewRow[] {
    const { table } = scored;
    const decided = new Set(decisions.map((d) => `${recordKey(d.sourceL, d.recordIdL)}\u0001${recordKey(d.sourceR, d.recordIdR)}`));
    const vectorizer = compileVectorizer(table, this.frozen.model.comparisons);
    const rows: ReviewRow[] = [];
    scored.pairs.chunks.forEach((chunk, c) => {
      if (c < firstChunk) return;
      const weights = scored.weights[c];
      for (let k = 0; k < weights.length; k++) {
        const probability = matchProbability(weights[k]);
        if (probability < this.thresholds.review || probability >= this.thresholds.link) continue;
        const [l, r] = [chunk.left[k], chunk.right[k]];
        const left = { source: table.sources[table.source[l]], recordId: table.recordIds[l] };
        const right = { source: table.sources[table.source[r]], recordId: table.recordIds[r] };
        if (decided.has(`${recordKey(left.source, left.recordId)}\u0001${recordKey(right.source, right.recordId)}`)) continue;
        const explanation = explainRows(table, this.frozen.model, l, r, scored.tf, vectorizer);
        rows.push({ sourceL: left.source, recordIdL: left.recordId, sourceR: right.source, recordIdR: right.recordId, matchWeight: weights[k], matchProbability: probability, explanation: JSON.stringify(explanation) });
      }
    });
    return rows;
  }

  /** The identity groups: every record in exactly one, groups ordered by id. */
  groups(): IndexedIdentity[] {
    const byId = new Map<string, RecordRef[]>();
    for (const record of [...this.records.values()].sort((a, b) => (recordKey(a.source, a.recordId) < recordKey(b.source, b.recordId) ? -1 : 1))) {
      let list = byId.get(record.identityId);
      if (list === undefined) byId.set(record.identityId, (list = []));
      list.push({ source: record.source, recordId: record.recordId });
    }
    return [...byId].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, records]) => ({ id, records }));
  }

  /** The identity a record belongs to, or undefined when it is not indexed. */
  identityOf(ref: RecordRef): string | undefined {
    return this.records.get(recordKey(ref.source, ref.recordId))?.identityId;
  }

  /** The active identity an id (possibly an alias of a merged identity) resolves to. */
  resolve(identityId: string): string | undefined {
    return this.store.resolve(identityId);
  }

  /**
   * An identity with its records' raw fields, read from the file: the
   * survivor for the alias of a merged identity; undefined for an unknown id.
   */
  identity(identityId: string): IdentityView | undefined {
    return identityView(this.store, identityId);
  }

  /** Pairs in the review band (between the two thresholds), most probable first. */
  review(): ReviewPair[] {
    return this.store.review().map((row) => ({
      left: { source: row.sourceL, recordId: row.recordIdL },
      right: { source: row.sourceR, recordId: row.recordIdR },
      matchWeight: row.matchWeight,
      matchProbability: row.matchProbability,
      explanation: JSON.parse(row.explanation),
    }));
  }

  /** The audit log: every event, or those of one identity (and of the identities merged into it), in order. */
  history(identityId?: string): IndexEvent[] {
    let ids: string[] | undefined;
    if (identityId !== undefined) {
      const active = this.store.resolve(identityId) ?? identityId;
      ids = [...new Set([identityId, ...this.store.aliasesOf(active)])];
    }
    return this.store.events(ids).map((row) => ({
      seq: row.seq,
      batch: row.batch,
      time: row.time,
      kind: row.kind as IndexEvent['kind'],
      records: (JSON.parse(row.records) as [string, string][]).map(([source, recordId]) => ({ source, recordId })),
      before: JSON.parse(row.before),
      after: JSON.parse(row.after),
      evidence: JSON.parse(row.evidence),
    }));
  }

  /**
   * Ranked candidate identities for each query record, without changing the
   * index: blocked against the index and scored with the stored model. (The
   * first match on a file whose normalized table is not stored, written by
   * older code, stores it: see storeBuiltTable.)
   */
  async matchAll(queries: readonly MatchQuery[], options: MatchOptions = {}): Promise<MatchCandidate[][]> {
    return this.matchWith(queries, options, true);
  }

  /** @internal matchAll blocking the whole table again, as before the keys were held: what the tests compare with. */
  async matchByRebuild(queries: readonly MatchQuery[], options: MatchOptions = {}): Promise<MatchCandidate[][]> {
    return this.matchWith(queries, options, false);
  }

  private async matchWith(queries: readonly MatchQuery[], options: MatchOptions, useKeys: boolean): Promise<MatchCandidate[][]> {
    if (this.records.size === 0) return queries.map(() => []);
    const table = await this.indexTable();
    if (useKeys && this.keys === undefined) {
      this.keys = BlockingKeys.build(table, this.frozen.rules) ?? null;
      this.storeBuiltTable();
    }
    return matchCandidates({
      frozen: this.frozen,
      threads: this.threads,
      indexed: this.records,
      table,
      keys: useKeys ? (this.keys ?? undefined) : undefined,
      onScored: (pairs) => (this.lastMatchPairs = pairs),
      members: (id) => this.store.membersOf(id),
      queries,
      thresholds: this.thresholds,
      count: options.count ?? 5,
      minProbability: options.minProbability ?? 0,
    });
  }

  /**
   * The indexed records normalized: the table held, else the one stored in the
   * file with its keys, else built from the records (a file from before tables
   * were stored, or whose stored table does not belong to its last batch).
   */
  private async indexTable(): Promise<RecordTable> {
    if (this.table === undefined) {
      const stored = await this.storedTable();
      if (stored !== undefined) {
        ({ table: this.table, keys: this.keys } = stored);
        this.tableStored = true;
        this.tableFrom = 'file';
      } else {
        this.table = await buildRecordTable(sourcesOf(this.recordsAfter().values()), this.frozen.settings, this.threads);
        this.keys = undefined;
        this.tableStored = false;
        this.tableFrom = 'records';
      }
    }
    return this.table;
  }

  /**
   * The file's table and keys, when they are of this layout and of the frozen
   * rules, brought up to date with the records changed since the batch that
   * wrote them (table-catch-up.ts); else undefined.
   */
  private async storedTable(): Promise<KeyedTable | undefined> {
    const text = this.store.meta('table');
    if (text === undefined) return undefined;
    const manifest = JSON.parse(text) as TableManifest;
    if (manifest.layout !== TABLE_LAYOUT || manifest.batch > this.batches) return undefined;
    if (manifest.rules !== null && JSON.stringify(manifest.rules) !== JSON.stringify(this.frozen.rules)) return undefined;
    const stored = tableOf({ manifest, parts: this.store.tableParts() });
    if (manifest.batch === this.batches) return stored;
    this.tableBehind = this.batches - manifest.batch;
    return caughtUp(stored, this.records, this.store.recordsSince(manifest.batch), this.frozen.settings, this.threads);
  }

  /**
   * Stores a table and keys built from the records, for a file that held none
   * of its last batch, so the next open reads them. Not a change of the index:
   * skipped when another process has changed the file since (its change stored
   * its own table) or holds the write lock.
   */
  private storeBuiltTable(): void {
    if (this.tableStored || this.table === undefined || this.keys === undefined) return;
    const { manifest, parts } = tableParts(this.table, this.keys, this.frozen.rules, this.batches);
    try {
      this.store.transaction(() => {
        if (this.store.batchCount() === this.batches) this.store.putTable(JSON.stringify(manifest), parts);
      });
      this.tableStored = true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    }
  }

  /** Ranked candidate identities for one record, without writing (see matchAll). */
  async match(query: MatchQuery, options: MatchOptions = {}): Promise<MatchCandidate[]> {
    return (await this.matchAll([query], options))[0];
  }

  /** Records and active identities held. */
  get size(): { records: number; identities: number } {
    return { records: this.records.size, identities: new Set([...this.records.values()].map((r) => r.identityId)).size };
  }

  close(): void {
    this.store.close();
  }
}

/**
 * Builds an index file at `path` (which must not exist) from sources: the same
 * groups and ids as link() on the same input and settings, with the trained
 * model, its term frequencies and the blocking rules stored for later adds.
 */
export async function createIndex(path: string, options: CreateIndexOptions): Promise<IdentityIndex> {
  return (await IdentityIndex.create(path, options)).index;
}

/** createIndex, with the build's summary (what the CLI prints). */
export async function buildIndex(path: string, options: CreateIndexOptions): Promise<{ index: IdentityIndex; summary: ChangeSummary }> {
  return IdentityIndex.create(path, options);
}

/** Opens an index file built by createIndex. */
export function openIndex(path: string, options: OpenIndexOptions = {}): IdentityIndex {
  return IdentityIndex.open(path, options);
}
