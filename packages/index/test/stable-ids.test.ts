// The id rules of an identity index, on hand-made groupings: untouched
// identities keep their ids, a merge keeps the older id, a split keeps the id
// on the larger part, new groups get new ids that were never issued before.
import { describe, expect, it } from 'vitest';
import { identityId } from '@mpi/core/advanced';
import { assignIds, type IdentityAge } from '../src/stable-ids.js';

/** Groups from a list of group numbers per row (numbered by first row, as clustering numbers them). */
const groupsOf = (groupOf: number[]) => ({ count: Math.max(...groupOf) + 1, groupOf: Uint32Array.from(groupOf) });
const ref = (row: number) => ({ source: 's', recordId: `r${row}` });
const ages = (entries: [string, number, number][]) => new Map<string, IdentityAge>(entries.map(([id, createdBatch, createdOrder]) => [id, { createdBatch, createdOrder }]));

describe('stable identity ids', () => {
  it('a group of records that had an id keeps it when nothing joins or leaves it', () => {
    const result = assignIds(groupsOf([0, 0, 1]), ['A', 'A', 'B'], ages([['A', 1, 0], ['B', 1, 1]]), ref, 2);
    expect(result.ids).toEqual(['A', 'B']);
    expect(result.created).toEqual([]);
    expect(result.merges).toEqual([]);
    expect(result.splits).toEqual([]);
  });

  it('a new record joining an identity leaves its id unchanged; a new group gets the id link() would give it', () => {
    const result = assignIds(groupsOf([0, 0, 1]), ['A', undefined, undefined], ages([['A', 1, 0]]), ref, 2);
    expect(result.ids).toEqual(['A', identityId('s', 'r2')]);
    expect(result.created).toEqual([1]);
  });

  it('on a merge the older identity keeps its id and the other is reported as absorbed into it', () => {
    // B was created in batch 1, A in batch 2: B is older whatever the ids' spelling.
    const result = assignIds(groupsOf([0, 0, 0, 0]), ['A', 'A', 'B', 'B'], ages([['A', 2, 0], ['B', 1, 5]]), ref, 3);
    expect(result.ids).toEqual(['B']);
    expect(result.merges).toEqual([{ survivor: 'B', absorbed: ['A'] }]);
  });

  it('of two identities created by the same batch, the one created first is the older', () => {
    const result = assignIds(groupsOf([0, 0]), ['X', 'Y'], ages([['X', 1, 7], ['Y', 1, 3]]), ref, 2);
    expect(result.ids).toEqual(['Y']);
  });

  it('on a split the part holding most of the identity keeps its id, the other part gets a new one', () => {
    const result = assignIds(groupsOf([0, 1, 1, 1]), ['A', 'A', 'A', 'A'], ages([['A', 1, 0]]), ref, 2);
    expect(result.ids[1]).toBe('A');
    expect(result.ids[0]).not.toBe('A');
    expect(result.splits).toEqual([{ from: 'A', groups: [0, 1] }]);
  });

  it('never issues an id again, even when the record that would name the group named an identity before', () => {
    const retired = identityId('s', 'r0');
    const result = assignIds(groupsOf([0]), [undefined], ages([[retired, 1, 0]]), ref, 4);
    expect(result.ids[0]).not.toBe(retired);
    expect(result.ids[0]).toMatch(/^P[0-9a-f]{16}$/);
  });
});
