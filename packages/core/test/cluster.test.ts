import { describe, expect, it } from 'vitest';
import { Evaluation, evaluate } from '../src/index.js';
import { clusterPairs, identityId, thresholdWeight } from '../src/advanced.js';
import { linkOrder } from '../src/cluster/cluster.js';

const chunk = (pairs: [number, number][]) => ({
  left: Uint32Array.from(pairs, (p) => p[0]),
  right: Uint32Array.from(pairs, (p) => p[1]),
});

describe('clustering into identity groups', () => {
  it('joins pairs at or above the threshold transitively and keeps the rest as singletons', () => {
    const pairs = chunk([
      [0, 1],
      [1, 2],
      [3, 4],
      [4, 5],
    ]);
    const weights = Float64Array.from([5, 0, -1, 10]);
    const c = clusterPairs(6, [pairs], [weights], thresholdWeight(0.5));
    expect(c.groupCount).toBe(3);
    expect(Array.from(c.groupOf)).toEqual([0, 0, 0, 1, 2, 2]);
    expect(Array.from(c.members)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(c.start)).toEqual([0, 3, 4, 6]);
  });

  it('numbers groups by their smallest row whatever the pair order', () => {
    const a = clusterPairs(4, [chunk([[2, 3], [0, 1]])], [Float64Array.from([1, 1])], 0);
    const b = clusterPairs(4, [chunk([[0, 1]]), chunk([[2, 3]])], [Float64Array.from([1]), Float64Array.from([1])], 0);
    expect(Array.from(a.groupOf)).toEqual(Array.from(b.groupOf));
  });

  it('breaks a chain where the pairs between two groups mostly say "different people"', () => {
    // 0 and 1 are one person; 2 links weakly to 1 but scores far below the threshold against 0.
    const pairs = chunk([
      [0, 1],
      [1, 2],
      [0, 2],
    ]);
    const weights = Float64Array.from([12, 1, -20]);
    const average = clusterPairs(3, [pairs], [weights], 0);
    expect(Array.from(average.groupOf)).toEqual([0, 0, 1]);
    const components = clusterPairs(3, [pairs], [weights], 0, { method: 'connectedComponents' });
    expect(Array.from(components.groupOf)).toEqual([0, 0, 0]);
  });

  it('keeps a group whole when one corrupted record is outvoted by strong links to the rest', () => {
    // Mean match probability of 2 against {0, 1}: (p(+15) + p(-3)) / 2 ~ 0.56, above 0.5.
    const pairs = chunk([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    const c = clusterPairs(3, [pairs], [Float64Array.from([15, 15, -3])], 0);
    expect(c.groupCount).toBe(1);
  });

  it('re-clusters the same way whatever the order and chunking of the pairs', () => {
    const list: [number, number, number][] = [
      [0, 1, 9],
      [1, 2, 2],
      [2, 3, 9],
      [0, 3, -15],
      [1, 3, -15],
      [0, 2, -1],
      [4, 5, 3],
    ];
    const one = clusterPairs(6, [chunk(list.map(([l, r]) => [l, r]))], [Float64Array.from(list, (p) => p[2])], 0);
    const reversed = list.slice().reverse();
    const split = [reversed.slice(0, 3), reversed.slice(3)];
    const two = clusterPairs(
      6,
      split.map((part) => chunk(part.map(([l, r]) => [l, r]))),
      split.map((part) => Float64Array.from(part, (p) => p[2])),
      0,
    );
    expect(Array.from(two.groupOf)).toEqual(Array.from(one.groupOf));
    // {0,1} and {2,3} hold together; the weak 1-2 link is outvoted by the -15s.
    expect(Array.from(one.groupOf)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('maps probability thresholds to match weights', () => {
    expect(thresholdWeight(0.5)).toBe(0);
    expect(thresholdWeight(0.8)).toBeCloseTo(2, 12);
    expect(thresholdWeight(1)).toBe(Infinity);
  });

  it('derives identity ids from the first record only, without revealing it', () => {
    expect(identityId('ehr', '123')).toBe(identityId('ehr', '123'));
    expect(identityId('ehr', '123')).not.toBe(identityId('lab', '123'));
    expect(identityId('ehr', '123')).toMatch(/^P[0-9a-f]{16}$/);
  });

  it('keeps identity ids stable across versions: P + the first 16 hex digits of SHA-256 of source, NUL, record id (UTF-8)', () => {
    expect(identityId('ehr', '123')).toBe('Pe8600ac44afd1144');
    expect(identityId('a', 'rec-1-org')).toBe('P4de6efd4c582bc36');
    expect(identityId('lab', 'Ünïcødé-7')).toBe('P2a57823db4540506');
  });
});

describe('evaluation against the truth', () => {
  const m = (recordId: string, group: string) => ({ source: 's', recordId, group });

  it('gives the same report fed record by record as from whole lists', () => {
    const truth = [m('1', 'A'), m('2', 'A'), m('3', 'B'), m('4', 'B'), m('5', 'C')];
    const predicted = [m('1', 'x'), m('2', 'x'), m('3', 'x'), m('4', 'y'), m('9', 'z'), m('4', 'w')];
    const evaluation = new Evaluation();
    for (const t of truth) evaluation.addTruth(t);
    for (const p of predicted) evaluation.addPredicted(p);
    const report = evaluation.report();
    expect(report).toEqual(evaluate(predicted, truth));
    expect(report.conservation).toEqual({ ok: false, missing: 1, unexpected: 1, duplicated: 1 });
    expect(() => evaluation.addTruth(m('6', 'D'))).toThrow(/truth before the predictions/);
  });

  it('scores pairwise and B-cubed precision and recall', () => {
    const truth = [m('1', 'A'), m('2', 'A'), m('3', 'A'), m('4', 'B')];
    const predicted = [m('1', 'x'), m('2', 'x'), m('3', 'y'), m('4', 'y')];
    const report = evaluate(predicted, truth);
    expect(report.pairwise.truePositives).toBe(1);
    expect(report.pairwise.precision).toBe(0.5);
    expect(report.pairwise.recall).toBeCloseTo(1 / 3, 12);
    // B-cubed precision: records 1,2 -> 1; 3,4 -> 1/2 each => 0.75
    expect(report.bcubed.precision).toBeCloseTo(0.75, 12);
    // B-cubed recall: 1,2 -> 2/3; 3 -> 1/3; 4 -> 1 => (2/3+2/3+1/3+1)/4
    expect(report.bcubed.recall).toBeCloseTo((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4, 12);
    expect(report.splitPersons).toBe(1);
    expect(report.mixedGroups).toBe(1);
    expect(report.conservation.ok).toBe(true);
  });

  it('reports records lost, invented or duplicated', () => {
    const truth = [m('1', 'A'), m('2', 'A')];
    const report = evaluate([m('1', 'x'), m('1', 'x'), m('9', 'x')], truth);
    expect(report.conservation).toEqual({ ok: false, missing: 1, unexpected: 1, duplicated: 1 });
  });
});

describe('linkOrder', () => {
  it('orders links as the comparator sort did: weight descending, then left and right row ascending', () => {
    // Many ties in weight and in left row, infinite weights and -0, across the insertion runs and merges.
    let state = 7;
    const next = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const weights = [-0, 0, 1.5, 2, 2, 7.25, Infinity, -Infinity, 30];
    for (const n of [0, 1, 2, 15, 16, 17, 33, 1000, 4099]) {
      const pairs = new Map<string, [number, number]>();
      while (pairs.size < n) {
        // 200 x 200 possible pairs: enough for n distinct ones, few enough to share left rows.
        const left = next(200);
        const right = left + 1 + next(200);
        pairs.set(`${left},${right}`, [left, right]);
      }
      const list = [...pairs.values()];
      // Shuffled, so the order does not come from the input's.
      for (let i = list.length - 1; i > 0; i--) {
        const j = next(i + 1);
        [list[i], list[j]] = [list[j], list[i]];
      }
      const left = Uint32Array.from(list, (p) => p[0]);
      const right = Uint32Array.from(list, (p) => p[1]);
      const weight = Float64Array.from(list, () => weights[next(weights.length)]);
      const expected = Array.from({ length: n }, (_, i) => i).sort(
        (a, b) => weight[b] - weight[a] || left[a] - left[b] || right[a] - right[b],
      );
      expect(Array.from(linkOrder(weight, left, right))).toEqual(expected);
    }
  });
});
