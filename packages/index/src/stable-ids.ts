// Stable identity ids: which id each new group carries, given the ids its
// records had before this batch. The rules (issue "identity index", point 4):
// an identity keeps its id unless it merges or splits; on a merge the older id
// survives and the others become aliases of it; on a split the part holding
// most of the identity's records keeps the id; a group of new records only gets
// a new id. Everything is decided in the table's canonical row order, so ids do
// not depend on input order or thread count.
import { identityId } from '@mpi/core/advanced';
import type { Groups } from './constrained-clustering.js';

/** What an identity's age is ordered by: the batch that created it, then its place among that batch's new identities. */
export interface IdentityAge {
  readonly createdBatch: number;
  readonly createdOrder: number;
}

/** The ages of the identity ids ever issued, looked up by id (a map, or the index file). */
export type IdentityAges = Pick<ReadonlyMap<string, IdentityAge>, 'get' | 'has'>;

export interface IdAssignment {
  /** Identity id of each group. */
  readonly ids: string[];
  /** Groups whose id is new in this batch, in group order. */
  readonly created: number[];
  /** Merges: the surviving id and the ids that became its aliases. */
  readonly merges: { readonly survivor: string; readonly absorbed: string[] }[];
  /** Splits: an old identity whose records now sit in several groups. */
  readonly splits: { readonly from: string; readonly groups: number[] }[];
}

/**
 * Assigns ids to `groups`. `previousId[row]` is the identity a row had before
 * this batch (undefined for a row new in it); `ages` holds every identity id
 * ever issued (active, merged or removed), none of which is issued again.
 */
export function assignIds(
  groups: Groups,
  previousId: readonly (string | undefined)[],
  ages: IdentityAges,
  firstRecordOf: (row: number) => { source: string; recordId: string },
  batch: number,
): IdAssignment {
  // How many of each old identity's rows each group holds.
  const counts = new Map<string, Map<number, number>>();
  for (let row = 0; row < previousId.length; row++) {
    const id = previousId[row];
    if (id === undefined) continue;
    let byGroup = counts.get(id);
    if (byGroup === undefined) counts.set(id, (byGroup = new Map()));
    const g = groups.groupOf[row];
    byGroup.set(g, (byGroup.get(g) ?? 0) + 1);
  }
  // Each old identity's principal group: the most of its rows, ties to the group with the smaller first row.
  const claimants = new Map<number, string[]>();
  const splits: IdAssignment['splits'] = [];
  for (const [id, byGroup] of counts) {
    let principal = -1;
    let most = 0;
    for (const [g, n] of byGroup) if (n > most || (n === most && g < principal)) [principal, most] = [g, n];
    let list = claimants.get(principal);
    if (list === undefined) claimants.set(principal, (list = []));
    list.push(id);
    if (byGroup.size > 1) splits.push({ from: id, groups: [...byGroup.keys()].sort((a, b) => a - b) });
  }

  const older = (a: string, b: string) => {
    const x = ages.get(a)!;
    const y = ages.get(b)!;
    return x.createdBatch - y.createdBatch || x.createdOrder - y.createdOrder || (a < b ? -1 : a > b ? 1 : 0);
  };
  const firstRow = new Int32Array(groups.count).fill(-1);
  for (let row = 0; row < groups.groupOf.length; row++) if (firstRow[groups.groupOf[row]] < 0) firstRow[groups.groupOf[row]] = row;

  const issued = new Set<string>();
  const fresh = (row: number): string => {
    const { source, recordId } = firstRecordOf(row);
    // The first record's hash, as link() names groups; a record that already
    // named an identity (now merged, split off or removed) names this one by batch too.
    let candidate = identityId(source, recordId);
    for (let n = 0; ages.has(candidate) || issued.has(candidate); n++) candidate = identityId(source, `${recordId}\u0000${batch}\u0000${n}`);
    issued.add(candidate);
    return candidate;
  };

  const ids = new Array<string>(groups.count);
  const created: number[] = [];
  const merges: IdAssignment['merges'] = [];
  for (let g = 0; g < groups.count; g++) {
    const claims = claimants.get(g);
    if (claims === undefined) {
      ids[g] = fresh(firstRow[g]);
      created.push(g);
      continue;
    }
    claims.sort(older);
    ids[g] = claims[0];
    if (claims.length > 1) merges.push({ survivor: claims[0], absorbed: claims.slice(1) });
  }
  splits.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return { ids, created, merges, splits };
}
