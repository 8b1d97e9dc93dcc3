// Which candidate pairs are true matches, given a truth file's memberships
// (source, record id, person), and how many true pairs there are to find.
import type { Membership } from '../evaluate/evaluate.js';
import type { LinkResult } from '../pipeline/types.js';
import type { PairTruth } from './weight-curves.js';

/** Person numbers of the truth's records, looked up by source and record id. */
export class TruthIndex {
  private readonly personOfKey = new Map<string, number>();
  private readonly persons = new Map<string, number>();

  constructor(truth: Iterable<Membership>) {
    for (const membership of truth) this.add(membership);
  }

  /** Adds a record of a known person (a record given twice keeps its first person, as Evaluation does). */
  add(membership: Membership): void {
    const key = `${membership.source}\u0000${membership.recordId}`;
    if (this.personOfKey.has(key)) return;
    let person = this.persons.get(membership.group);
    if (person === undefined) this.persons.set(membership.group, (person = this.persons.size));
    this.personOfKey.set(key, person);
  }

  /** The record's person number, or -1 when the truth does not have the record. */
  personOf(source: string, recordId: string): number {
    return this.personOfKey.get(`${source}\u0000${recordId}`) ?? -1;
  }

  /** Pairs of records of one person among the truth's records: what pairwise recall counts (as `mpi evaluate` does). */
  truePairs(): number {
    const sizes = new Float64Array(this.persons.size);
    for (const person of this.personOfKey.values()) sizes[person]++;
    return sizes.reduce((n, size) => n + (size * (size - 1)) / 2, 0);
  }
}

/** 1 when the pair's records are of one person, 0 when of two, -1 when either is not in the truth. */
export function pairTruth(left: number, right: number): number {
  return left < 0 || right < 0 ? -1 : left === right ? 1 : 0;
}

/**
 * The truth of every candidate pair of a result, and the true pairs in its
 * comparison space: the records of one person that are in the table, counted
 * across sources only when the space is cross-source (link mode), as blocking
 * counts it.
 */
export function resultPairTruth(result: LinkResult, truth: TruthIndex): { truth: PairTruth[]; truePairs: number } {
  const { table } = result;
  const personOfRow = new Int32Array(table.size);
  for (let r = 0; r < table.size; r++) personOfRow[r] = truth.personOf(table.sources[table.source[r]], table.recordIds[r]);
  const chunks = result.pairs.chunks.map(({ left, right }) => {
    const known = new Int8Array(left.length);
    for (let k = 0; k < left.length; k++) known[k] = pairTruth(personOfRow[left[k]], personOfRow[right[k]]);
    return known;
  });
  return { truth: chunks, truePairs: truePairsInSpace(result, personOfRow) };
}

function truePairsInSpace(result: LinkResult, personOfRow: Int32Array): number {
  const n = result.table.size;
  const crossSourceOnly = result.blocking.totalPairs !== (n * (n - 1)) / 2;
  const pairsOf = (counts: Map<number, number>) => [...counts.values()].reduce((sum, size) => sum + (size * (size - 1)) / 2, 0);
  const perPerson = new Map<number, number>();
  const perPersonAndSource = new Map<number, number>();
  const sources = result.table.sources.length;
  for (let r = 0; r < n; r++) {
    const person = personOfRow[r];
    if (person < 0) continue;
    perPerson.set(person, (perPerson.get(person) ?? 0) + 1);
    const key = person * sources + result.table.source[r];
    perPersonAndSource.set(key, (perPersonAndSource.get(key) ?? 0) + 1);
  }
  return pairsOf(perPerson) - (crossSourceOnly ? pairsOf(perPersonAndSource) : 0);
}
