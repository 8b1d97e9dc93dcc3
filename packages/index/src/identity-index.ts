// The identity index: a persistent MPI over the linkage pipeline. Records are
// kept raw; a change scores records with the frozen model, rules and term
// frequencies (an add of new records only its own pairs, against the pairs and
// blocking keys held in memory; updates, removals and decisions all records),
// clusters them with the decisions (an add only the components it touches), and
// carries the identity ids over (stable-ids.ts), all written in one transaction.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BlockingRule } from '@mpi/blocking';
import { buildRecordTable, link, MpiError, parseModel, serializeModel, validateSettings, type PlainRecord, type RecordTable, type Settings, type SourceInput } from '@mpi/core';
import { blockPairs, DEFAULTS, explainRows, termFrequencyInputs, thresholdWeight, type ClusteringMethod } from '@mpi/core/advanced';
import { compileVectorizer, matchProbability, type FellegiSunterModel } from '@mpi/scoring';
import { batchOutcome, type BatchOutcome, type PendingEvent } from './batch-changes.js';
import { BlockingKeys } from './blocking-keys.js';
import { touchedComponents } from './cluster-scope.js';
import { scoreAdded } from './incremental-add.js';
import { identityView } from './identity-view.js';
import { matchCandidates } from './match.js';
import { padFields } from './pad-fields.js';
import { readRawRecords, recordKey, type RawRecord } from './raw-records.js';
import { scoreTable, sourcesOf, type FrozenParts, type ScoredTable, type StoredTermFrequencies } from './scored-table.js';
import type { IdentityAge } from './stable-ids.js';
import { IndexStore, type DecisionRow, type ReviewRow } from './store.js';
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
  OpenIndexOptions,
  RecordRef,
  ReviewPair,
} from './types.js';

/** Default lower threshold of the review band (see CreateIndexOptions.reviewThreshold). */
export const DEFAULT_REVIEW_THRESHOLD = 0.1;

interface IndexedRecord extends RawRecord {
  identityId: string;
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

/** Term-frequency tables of the build, stored so later scores do not depend on which records came after. */
function storedTermFrequencies(scored: ScoredTable, model: FellegiSunterModel): (StoredTermFrequencies | null)[] {
  return termFrequencyInputs(scored.table, model.comparisons).map((input, c) => {
    if (input === null) return null;
    const column = scored.table.columns[model.comparisons[c].column];
    const frequencies: Record<string, number> = {};
    // The first value column's values (a multi-valued field's frequencies also hold the other columns' values, after them).
    for (let id = 1; id < column.dictionary.length; id++) if (input.tf[id] > 0) frequencies[column.dictionary[id]] = input.tf[id];
    let present = 0;
    for (let r = 0; r < column.ids.length; r++) if (column.ids[r] !== 0) present++;
    return { column: model.comparisons[c].column, frequencies, unseen: present > 0 ? 1 / present : 1 };
  });
}

/** The settings with only the source overrides of the given sources (link() refuses overrides of absent sources). */
function forSources(settings: Settings, sources: readonly SourceInput[]): Settings {
  if (settings.sources === undefined) return settings;
  const names = new Set(sources.map((source) => source.name));
  return { ...settings, sources: Object.fromEntries(Object.entries(settings.sources).filter(([name]) => names.has(name))) };
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
    private readonly frozen: FrozenParts,
    private readonly threads: number,
    /** Every indexed record, by recordKey, in memory while the index is open. */
    private readonly records: Map<string, IndexedRecord>,
    /** Match probability from which records link, and from which pairs go to review. */
    readonly thresholds: { readonly link: number; readonly review: number },
    private readonly beforeCommit: () => void = () => {},
    /** Batches committed when this view was loaded or last wrote. */
    private batches = 0,
  ) {}

  /** The indexed records normalized, for match(): the last change's table, or read on the first match. */
  private table: RecordTable | undefined;
  /** The blocking keys of `table`, built on the first match after it changed (null: a rule is not a key rule). */
  private keys: BlockingKeys | null | undefined;
  /** @internal Pairs compared and scored by the last match (what the tests check a match touches). */
  lastMatchPairs = 0;
  /** The records' pairs and match weights of the last change (its table is `table`), held so an add scores only its new pairs. */
  private held: ScoredTable | undefined;
  /** @internal Pairs compared and scored by the last add, remove or decision. */
  lastScoredPairs = 0;
  /** @internal Score every record again on each add, as before adds were incremental: what the tests compare with. */
  rescoreAll = false;

  /** @internal See createIndex. */
  static async create(path: string, options: CreateIndexOptions): Promise<{ index: IdentityIndex; summary: ChangeSummary }> {
    const sources = options.sources ?? (options.records !== undefined ? toSources(options.records) : undefined);
    if (sources === undefined) throw new MpiError('NO_SOURCES', 'createIndex needs sources or records');
    if (existsSync(path)) throw new MpiError('INDEX_EXISTS', 'the index file already exists; open it, or remove it to build a new one');
    // Checked without the source names: an index's settings may map sources that come later.
    const settings = validateSettings(options.settings);
    const threads = threadsOf(options.threads);
    let clock = performance.now();
    const raw = await readRawRecords(sources, settings);
    const result = await link({ settings: forSources(settings, sources), sources, threads, model: options.model });
    const read = seconds(clock);
    clock = performance.now();
    const mode = settings.mode ?? DEFAULTS.mode;
    const method = settings.clustering ?? DEFAULTS.clustering;
    // The blocking rules this build used, frozen: the defaults are scaled to the
    // data, and rules that changed with every add would change untouched pairs.
    const rules: BlockingRule[] = blockPairs({
      table: result.table,
      settings,
      mode,
      comparisons: result.model.comparisons,
      training: false,
      clusteringMethod: method,
      progress: () => {},
    }).rules.map((rule) => rule.rule);
    const scored: ScoredTable = { table: result.table, pairs: result.pairs, weights: result.weights, tf: termFrequencyInputs(result.table, result.model.comparisons) };
    const frozen: FrozenParts = { settings: { ...settings, blockingRules: rules }, model: result.model, rules, tf: storedTermFrequencies(scored, result.model) };
    const linkThreshold = settings.threshold ?? DEFAULTS.threshold;
    const review = Math.min(options.reviewThreshold ?? DEFAULT_REVIEW_THRESHOLD, linkThreshold);
    const score = seconds(clock);

    // Built in a file beside the target and renamed into place once complete:
    // an interrupted build leaves no half-built index at `path`.
    const building = `${path}.${process.pid}.building`;
    const store = IndexStore.create(building);
    let summary: ChangeSummary;
    try {
      store.transaction(() => {
        store.setMeta('settings', JSON.stringify(frozen.settings));
        store.setMeta('model', serializeModel(frozen.model));
        store.setMeta('rules', JSON.stringify(rules));
        store.setMeta('tf', JSON.stringify(frozen.tf));
        store.setMeta('thresholds', JSON.stringify({ link: linkThreshold, review, method }));
      });
      const builder = new IdentityIndex(store, frozen, threads, new Map(), { link: linkThreshold, review });
      const added = new Map(raw.map((record) => [recordKey(record.source, record.recordId), record]));
      summary = builder.apply('build', scored, { added, updated: new Map(), removed: [], newDecisions: [] }, { read, score });
      store.close();
      if (existsSync(path)) throw new MpiError('INDEX_EXISTS', 'the index file already exists; open it, or remove it to build a new one');
      renameSync(building, path);
    } catch (error) {
      if (store.db.open) store.close();
      rmSync(building, { force: true });
      throw error;
    }
    const index = IdentityIndex.open(path, { threads });
    // The build's pairs and weights are the index's: the first add scores only its own pairs.
    index.held = scored;
    index.table = scored.table;
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
    for (const record of store.records()) records.set(recordKey(record.source, record.recordId), { ...record });
    const batches = store.batchCount();
    return new IdentityIndex(store, { settings, model, rules, tf }, threadsOf(options.threads), records, thresholds, options.beforeCommit, batches);
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
      else if (JSON.stringify(known.data) !== JSON.stringify(record.data)) updated.set(key, record);
    }
    const read = seconds(clock);
    clock = performance.now();
    const incremental = updated.size === 0 && !this.rescoreAll ? await this.scoreAdded(added) : undefined;
    if (incremental !== undefined) {
      const summary = this.apply('add', incremental.scored, { added, updated, removed: [], newDecisions: [] }, { read, score: seconds(clock) }, incremental);
      this.keys = incremental.keys;
      return summary;
    }
    const next = new Map<string, RawRecord>(this.records);
    for (const [key, record] of [...added, ...updated]) next.set(key, record);
    return this.apply('add', await this.score(next.values()), { added, updated, removed: [], newDecisions: [] }, { read, score: seconds(clock) });
  }

  /**
   * The held scores with only the new records' pairs scored and merged in,
   * and the blocking keys of the merged table; undefined when that does not
   * apply (nothing indexed or added yet, or a blocking rule that is not a key rule).
   */
  private async scoreAdded(added: ReadonlyMap<string, RawRecord>): Promise<{ scored: ScoredTable; keys: BlockingKeys; addedRows: Uint32Array; firstNewChunk: number } | undefined> {
    if (added.size === 0 || this.records.size === 0) return undefined;
    if (this.held === undefined) {
      this.held = await this.score(this.records.values());
      this.table = this.held?.table;
      this.keys = undefined;
    }
    if (this.held === undefined) return undefined;
    const keys = (this.keys ??= BlockingKeys.build(this.held.table, this.frozen.rules) ?? null);
    if (keys === null) return undefined;
    const table = padFields(await buildRecordTable(sourcesOf(added.values()), this.frozen.settings, this.threads), this.held.table);
    const { pairsScored, ...incremental } = await scoreAdded(this.held, keys, table, this.frozen, this.threads);
    this.lastScoredPairs = pairsScored;
    return incremental;
  }

  /** Removes records by source and record id (unknown ones are ignored). One transaction. */
  async remove(refs: readonly RecordRef[]): Promise<ChangeSummary> {
    const clock = performance.now();
    const removed = refs
      .map((ref) => this.records.get(recordKey(ref.source, ref.recordId)))
      .filter((record): record is IndexedRecord => record !== undefined);
    const next = new Map(this.records);
    for (const record of removed) next.delete(recordKey(record.source, record.recordId));
    const scored = await this.score(next.values());
    return this.apply('remove', scored, { added: new Map(), updated: new Map(), removed, newDecisions: [] }, { read: 0, score: seconds(clock) });
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
    const scored = await this.score(this.records.values());
    return this.apply('decision', scored, { added: new Map(), updated: new Map(), removed: [], newDecisions: rows }, { read: 0, score: seconds(clock) });
  }

  /** Clusters, assigns ids and writes a batch in one transaction; updates the in-memory records after the commit. */
  private apply(
    kind: string,
    scored: ScoredTable | undefined,
    change: { added: Map<string, RawRecord>; updated: Map<string, RawRecord>; removed: IndexedRecord[]; newDecisions: DecisionRow[] },
    timing: { read: number; score: number },
    /**
     * An add that changed nothing else: the rows of `scored` of its new records
     * (only their components are clustered again) and the first chunk of new
     * pairs (only those can enter the review queue).
     */
    incremental?: { readonly addedRows: Uint32Array; readonly firstNewChunk: number },
  ): ChangeSummary {
    let clock = performance.now();
    // The batches this view of the index has seen: another process's commit since then makes it stale.
    const batch = this.batches + 1;
    const time = new Date().toISOString();
    const identities = this.store.identities();
    const ages = new Map<string, IdentityAge>(identities.map((row) => [row.id, row]));
    const activeBefore = identities.filter((row) => row.status === 'active').length;
    const removed = new Set(change.removed);
    const decisions = [...this.store.decisions(), ...change.newDecisions];
    const scope = scored === undefined || incremental === undefined ? scored : touchedComponents(scored, incremental.addedRows, thresholdWeight(this.thresholds.link), decisions);
    const previous = new Map<string, string>();
    if (scope === scored) {
      for (const [key, record] of this.records) if (!removed.has(record)) previous.set(key, record.identityId);
    } else {
      // Identities outside the touched components keep their ids: only those inside are carried over.
      for (let r = 0; r < scope!.table.size; r++) {
        const key = recordKey(scope!.table.sources[scope!.table.source[r]], scope!.table.recordIds[r]);
        const known = this.records.get(key);
        if (known !== undefined) previous.set(key, known.identityId);
      }
    }
    const outcome: BatchOutcome = batchOutcome({
      scored: scope,
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
    const review = scored === undefined ? [] : this.reviewRows(scored, decisions, incremental?.firstNewChunk ?? 0);
    const cluster = seconds(clock);
    clock = performance.now();

    const { assignment, identityOf, retired, events } = outcome;
    const recordCount = change.added.size + change.updated.size + change.removed.length;
    this.store.transaction(() => {
      if (this.store.batchCount() !== this.batches) {
        throw new MpiError('INDEX_CHANGED', 'another process changed the index since it was opened here; open it again and repeat the change');
      }
      this.store.newBatch(kind, recordCount, time);
      for (const [key, record] of [...change.added, ...change.updated]) {
        this.store.putRecord(record.source, record.recordId, record.data, identityOf.get(key)!, batch);
      }
      for (const record of change.removed) this.store.deleteRecord(record.source, record.recordId);
      for (const [key, record] of this.records) {
        const id = identityOf.get(key);
        if (id !== undefined && id !== record.identityId && !change.updated.has(key)) this.store.setIdentityOf(record.source, record.recordId, id);
      }
      assignment.created.forEach((g, order) => this.store.putIdentity({ id: assignment.ids[g], createdBatch: batch, createdOrder: order, status: 'active', aliasOf: null }));
      for (const { survivor, absorbed } of assignment.merges) {
        for (const id of absorbed) this.store.putIdentity({ ...ages.get(id)!, id, status: 'merged', aliasOf: survivor });
      }
      for (const id of retired) this.store.putIdentity({ ...ages.get(id)!, id, status: 'removed', aliasOf: null });
      for (const decision of change.newDecisions) this.store.putDecision(decision, batch);
      if (incremental === undefined) this.store.replaceReview(review);
      else this.store.addReview(review);
      for (const event of events) this.writeEvent(event, batch, time);
      this.beforeCommit();
    });
    // Committed: the in-memory view follows.
    this.batches = batch;
    this.table = scored?.table;
    this.keys = undefined;
    this.held = scored;
    for (const record of change.removed) this.records.delete(recordKey(record.source, record.recordId));
    for (const [key, record] of [...change.added, ...change.updated]) this.records.set(key, { ...record, identityId: identityOf.get(key)! });
    for (const [key, record] of this.records) record.identityId = identityOf.get(key) ?? record.identityId;
    return {
      batch,
      added: change.added.size,
      updated: change.updated.size,
      removed: change.removed.length,
      decisions: change.newDecisions.length,
      created: assignment.created.length,
      merged: assignment.merges.reduce((n, m) => n + m.absorbed.length, 0),
      split: assignment.splits.length,
      retired: retired.length,
      identities: activeBefore + assignment.created.length - assignment.merges.reduce((n, m) => n + m.absorbed.length, 0) - retired.length,
      records: this.records.size,
      review: incremental === undefined ? review.length : this.store.reviewCount(),
      seconds: { read: timing.read, score: timing.score, cluster, write: seconds(clock) },
    };
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
   * Ranked candidate identities for each query record, without writing:
   * blocked against the index and scored with the stored model.
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
    this.table ??= await buildRecordTable(sourcesOf(this.records.values()), this.frozen.settings, this.threads);
    if (useKeys) this.keys ??= BlockingKeys.build(this.table, this.frozen.rules) ?? null;
    return matchCandidates({
      frozen: this.frozen,
      threads: this.threads,
      indexed: this.records,
      table: this.table,
      keys: useKeys ? (this.keys ?? undefined) : undefined,
      onScored: (pairs) => (this.lastMatchPairs = pairs),
      members: (id) => this.store.membersOf(id),
      queries,
      thresholds: this.thresholds,
      count: options.count ?? 5,
      minProbability: options.minProbability ?? 0,
    });
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
