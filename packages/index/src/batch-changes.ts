// One batch's outcome: the groups with decisions applied, their stable ids and
// the audit events, computed from the scored records before anything is written.
import type { RecordTable } from '@mpi/core';
import { thresholdWeight, type ClusteringMethod } from '@mpi/core/advanced';
import { matchProbability } from '@mpi/scoring';
import { clusterWithDecisions, type Groups, type RowDecision } from './constrained-clustering.js';
import { recordKey } from './raw-records.js';
import type { ScoredTable } from './scored-table.js';
import { assignIds, type IdAssignment, type IdentityAges } from './stable-ids.js';
import type { DecisionRow } from './store.js';
import type { EventKind, RecordRef } from './types.js';

/** An event before it is numbered and timed. */
export interface PendingEvent {
  readonly kind: EventKind;
  readonly records: RecordRef[];
  readonly before: string[];
  readonly after: string[];
  readonly evidence: Record<string, unknown>;
}

export interface BatchInput {
  readonly scored: ScoredTable | undefined;
  readonly threshold: number;
  readonly method: ClusteringMethod;
  readonly decisions: readonly DecisionRow[];
  /** The identity of each record indexed before the batch and still in it, by recordKey. */
  readonly previous: ReadonlyMap<string, string>;
  /** Keys of the records this batch added, and of those whose fields it changed. */
  readonly added: ReadonlySet<string>;
  readonly updated: ReadonlySet<string>;
  /** Records the batch removed, with the identity each had. */
  readonly removed: readonly (RecordRef & { identityId: string })[];
  readonly newDecisions: readonly DecisionRow[];
  readonly ages: IdentityAges;
  readonly batch: number;
}

export interface BatchOutcome {
  /** Identity of every record after the batch, by recordKey. */
  readonly identityOf: Map<string, string>;
  readonly assignment: IdAssignment;
  /** Old identities left with no record. */
  readonly retired: string[];
  readonly events: PendingEvent[];
}

const refOf = (table: RecordTable, row: number): RecordRef => ({ source: table.sources[table.source[row]], recordId: table.recordIds[row] });

/** Row decisions for the decided pairs whose two records are both in the table. */
function rowDecisions(decisions: readonly DecisionRow[], rowOf: ReadonlyMap<string, number>): RowDecision[] {
  const rows: RowDecision[] = [];
  for (const d of decisions) {
    const left = rowOf.get(recordKey(d.sourceL, d.recordIdL));
    const right = rowOf.get(recordKey(d.sourceR, d.recordIdR));
    if (left !== undefined && right !== undefined) rows.push({ left, right, match: d.decision === 'match' });
  }
  return rows;
}

/** The strongest in-group link of every row (its evidence), as weight and partner row. */
function strongestLinks(scored: ScoredTable, groups: Groups, minWeight: number): { weight: Float64Array; partner: Int32Array } {
  const weight = new Float64Array(scored.table.size).fill(-Infinity);
  const partner = new Int32Array(scored.table.size).fill(-1);
  scored.pairs.chunks.forEach((chunk, c) => {
    const w = scored.weights[c];
    for (let k = 0; k < w.length; k++) {
      const l = chunk.left[k];
      const r = chunk.right[k];
      if (w[k] < minWeight || groups.groupOf[l] !== groups.groupOf[r]) continue;
      // Ties go to the smaller partner row, so the evidence does not depend on the pairs' order.
      if (w[k] > weight[l] || (w[k] === weight[l] && r < partner[l])) [weight[l], partner[l]] = [w[k], r];
      if (w[k] > weight[r] || (w[k] === weight[r] && l < partner[r])) [weight[r], partner[r]] = [w[k], l];
    }
  });
  return { weight, partner };
}

/** Groups, ids and events of a batch. */
export function batchOutcome(input: BatchInput): BatchOutcome {
  const { scored, previous } = input;
  const identityOf = new Map<string, string>();
  const events: PendingEvent[] = [];
  let assignment: IdAssignment = { ids: [], created: [], merges: [], splits: [] };
  const previousIds = new Set(previous.values());
  for (const record of input.removed) previousIds.add(record.identityId);

  if (scored !== undefined) {
    const { table } = scored;
    const rowOf = new Map<string, number>();
    const keys = new Array<string>(table.size);
    for (let r = 0; r < table.size; r++) {
      keys[r] = recordKey(table.sources[table.source[r]], table.recordIds[r]);
      rowOf.set(keys[r], r);
    }
    const minWeight = thresholdWeight(input.threshold);
    const decided = rowDecisions(input.decisions, rowOf);
    const groups = clusterWithDecisions(table.size, scored.pairs.chunks, scored.weights, minWeight, input.method, decided);
    const previousId = keys.map((key) => previous.get(key));
    assignment = assignIds(groups, previousId, input.ages, (row) => refOf(table, row), input.batch);
    const { ids } = assignment;
    for (let r = 0; r < table.size; r++) identityOf.set(keys[r], ids[groups.groupOf[r]]);

    const strongest = strongestLinks(scored, groups, minWeight);
    const evidence = (rows: readonly number[]): Record<string, unknown> => {
      let best = -1;
      for (const row of rows) if (strongest.partner[row] >= 0 && (best < 0 || strongest.weight[row] > strongest.weight[best])) best = row;
      if (best < 0) return { rule: 'no link above the threshold', threshold: input.threshold };
      const weight = strongest.weight[best];
      const pair = [refOf(table, best), refOf(table, strongest.partner[best])];
      if (weight === Infinity) return { rule: 'decision', decision: 'match', pair };
      return { rule: 'match probability at or above the threshold', threshold: input.threshold, matchWeight: weight, matchProbability: matchProbability(weight), pair };
    };

    const members: number[][] = Array.from({ length: groups.count }, () => []);
    for (let r = 0; r < table.size; r++) members[groups.groupOf[r]].push(r);
    const created = new Set(assignment.created);
    for (const g of assignment.created) {
      if (members[g].some((r) => previousId[r] !== undefined)) continue; // split off: the split event names it
      events.push({ kind: 'create', records: members[g].map((r) => refOf(table, r)), before: [], after: [ids[g]], evidence: evidence(members[g]) });
    }
    for (const { from, groups: parts } of assignment.splits) {
      const kept = parts.find((g) => ids[g] === from) ?? -1;
      const moved = parts.filter((g) => g !== kept).flatMap((g) => members[g].filter((r) => previousId[r] === from));
      events.push({
        kind: 'split',
        records: moved.map((r) => refOf(table, r)),
        before: [from],
        after: [...new Set(parts.map((g) => ids[g]))],
        evidence: { rule: 'no link above the threshold to the rest of the identity', threshold: input.threshold },
      });
    }
    const groupOfId = new Map(ids.map((id, g) => [id, g]));
    for (const { survivor, absorbed } of assignment.merges) {
      const g = groupOfId.get(survivor)!;
      const rows = members[g].filter((r) => absorbed.includes(previousId[r]!));
      events.push({ kind: 'merge', records: rows.map((r) => refOf(table, r)), before: [survivor, ...absorbed], after: [survivor], evidence: evidence(rows) });
    }
    for (let g = 0; g < groups.count; g++) {
      if (created.has(g) && members[g].every((r) => previousId[r] === undefined)) continue; // its create event lists them
      const changed = members[g].filter((r) => input.added.has(keys[r]) || input.updated.has(keys[r]));
      if (changed.length === 0) continue;
      const before = [...new Set(changed.map((r) => previousId[r]).filter((id): id is string => id !== undefined))];
      events.push({ kind: 'update', records: changed.map((r) => refOf(table, r)), before, after: [ids[g]], evidence: evidence(changed) });
    }
  }

  const decisionEvents: PendingEvent[] = [];
  for (const d of input.newDecisions) {
    const left = { source: d.sourceL, recordId: d.recordIdL };
    const right = { source: d.sourceR, recordId: d.recordIdR };
    const beforeIds = [previous.get(recordKey(d.sourceL, d.recordIdL)), previous.get(recordKey(d.sourceR, d.recordIdR))];
    const afterIds = [identityOf.get(recordKey(d.sourceL, d.recordIdL)), identityOf.get(recordKey(d.sourceR, d.recordIdR))];
    decisionEvents.push({
      kind: 'decision',
      records: [left, right],
      before: [...new Set(beforeIds.filter((id): id is string => id !== undefined))],
      after: [...new Set(afterIds.filter((id): id is string => id !== undefined))],
      evidence: { rule: 'decision', decision: d.decision },
    });
  }
  const active = new Set(identityOf.values());
  const absorbed = new Set(assignment.merges.flatMap((m) => m.absorbed));
  const retired = [...previousIds].filter((id) => !active.has(id) && !absorbed.has(id)).sort();
  const removedBy = new Map<string, RecordRef[]>();
  for (const { source, recordId, identityId } of input.removed) {
    let list = removedBy.get(identityId);
    if (list === undefined) removedBy.set(identityId, (list = []));
    list.push({ source, recordId });
  }
  for (const [id, records] of [...removedBy].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const after = active.has(id) ? [id] : [];
    events.push({ kind: 'remove', records, before: [id], after, evidence: { rule: 'records removed' } });
  }
  // A decision comes before the merges and splits it caused.
  return { identityOf, assignment, retired, events: [...decisionEvents, ...events] };
}
