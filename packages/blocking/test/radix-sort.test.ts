import { describe, expect, it } from 'vitest';
import { radixSortByKey } from '../src/radix-sort.js';
import { seededRandom } from './table-builder.js';

describe('radixSortByKey', () => {
  for (const maxKey of [0, 1, 5, 2047, 2048, 70_000, 5_000_000, 0xffffffff]) {
    it(`sorts stably and carries payloads (keys up to ${maxKey})`, () => {
      const random = seededRandom(maxKey + 1);
      const n = 5000;
      const keys = Uint32Array.from({ length: n }, () => Math.floor(random() * (maxKey + 1)));
      const rows = Uint32Array.from({ length: n }, (_, i) => i);
      const doubled = rows.map((r) => r * 2);
      const before = keys.slice();
      const sorted = radixSortByKey(keys, maxKey, [rows, doubled]);
      const expected = Array.from(rows).sort((a, b) => keys[a] - keys[b] || a - b);
      expect(Array.from(sorted.payloads[0])).toEqual(expected);
      expect(Array.from(sorted.keys)).toEqual(expected.map((r) => keys[r]));
      expect(Array.from(sorted.payloads[1])).toEqual(expected.map((r) => r * 2));
      expect(keys).toEqual(before);
    });
  }
});
