// The index's blocking keys held in memory, so a match blocks only its query
// records: per stored key rule, the rows of each key (typed arrays, from the
// rule compiled once on the index's table) and a map from the key's derived
// strings to its id. A query's key is derived from its own normalized values
// the way the blocking package derives them (each part's transform, a record
// without a part has no key, unordered parts compared as a multiset), so the
// rows it finds are exactly those a rule compiled on index + query would pair
// with it.
import { applyKeyTransform, compileBlockingRule, type BlockingRule, type KeyTransform } from '@mpi/blocking';
import type { RecordTable } from '@mpi/core';
import { KeyIds } from './key-ids.js';

/** What the blocking package's compiled key rule holds: each record's key id and the rows of each key (order[blockStart[k] .. blockStart[k + 1])). */
interface CompiledKeyRule {
  readonly kind: 'key';
  readonly keyIds: Uint32Array;
  readonly order: Uint32Array;
  readonly blockStart: Uint32Array;
}

/** One key rule's blocks (see BlockingKeys). */
export interface RuleKeys {
  readonly rule: Extract<BlockingRule, { kind: 'key' }>;
  /** Derived key strings joined -> key id of the compiled rule. */
  readonly idOfKey: KeyIds;
  readonly order: Uint32Array;
  readonly blockStart: Uint32Array;
}

const PART_SEPARATOR = '\u0000';

// A transform runs once per distinct value of a dictionary (Double Metaphone is
// the costly one), not once per key that holds the value.
const derivedCache = new WeakMap<readonly string[], Map<string, (string | undefined)[]>>();

function derived(dictionary: readonly string[], id: number, transform: KeyTransform): string {
  let byTransform = derivedCache.get(dictionary);
  if (byTransform === undefined) derivedCache.set(dictionary, (byTransform = new Map()));
  let keys = byTransform.get(transform);
  if (keys === undefined) byTransform.set(transform, (keys = []));
  return (keys[id] ??= applyKeyTransform(dictionary[id] ?? '', transform));
}

/** The key of `row` under `rule` as one string, or undefined when a part is missing. */
function keyOf(table: RecordTable, row: number, rule: Extract<BlockingRule, { kind: 'key' }>): string | undefined {
  if (rule.keys.length === 1) return partOf(table, row, rule.keys[0]);
  const parts: string[] = [];
  for (const part of rule.keys) {
    const key = partOf(table, row, part);
    if (key === undefined) return undefined;
    parts.push(key);
  }
  if (rule.unordered === true) parts.sort();
  return parts.join(PART_SEPARATOR);
}

/** One part of a key (a one-part key is its part, without an array to join), or undefined when missing. */
function partOf(table: RecordTable, row: number, part: Extract<BlockingRule, { kind: 'key' }>['keys'][number]): string | undefined {
  const column = table.columns[part.column];
  if (column === undefined) return undefined;
  const key = derived(column.dictionary, column.ids[row], (part.transform ?? 'exact') as KeyTransform);
  return key === '' ? undefined : key;
}

function isCompiledKeyRule(compiled: unknown): compiled is CompiledKeyRule {
  const rule = compiled as Partial<CompiledKeyRule>;
  return rule.kind === 'key' && rule.keyIds instanceof Uint32Array && rule.order instanceof Uint32Array && rule.blockStart instanceof Uint32Array;
}

/** The blocks of the merged table: each key's base rows (moved) then its added rows. */
function fill(start: Uint32Array, keys: number, order: Uint32Array, blockStart: Uint32Array, baseRow: Uint32Array, keyOfAdded: Uint32Array, extraRow: Uint32Array): { order: Uint32Array; blockStart: Uint32Array } {
  const next = start.slice();
  const merged = new Uint32Array(start[keys]);
  for (let k = 1; k + 1 < blockStart.length; k++) for (let p = blockStart[k]; p < blockStart[k + 1]; p++) merged[next[k]++] = baseRow[order[p]];
  for (let row = 0; row < keyOfAdded.length; row++) if (keyOfAdded[row] !== 0) merged[next[keyOfAdded[row]]++] = extraRow[row];
  return { order: merged, blockStart: start };
}

/**
 * The rows candidates() gathers, reused by every match on this thread (it runs
 * to its end without yielding): a match is made per request, and a set of
 * numbers per query was much of what it allocated.
 */
let gathered = new Uint32Array(256);

/**
 * The blocking keys of an index's table, or undefined when a rule is not a
 * key rule: a sorted neighbourhood's window depends on every record's position,
 * so those indexes keep blocking the whole table on a match.
 */
export class BlockingKeys {
  /** Per rule, its blocks (built here, or read from the index's file: stored-table.ts). */
  constructor(readonly rules: readonly RuleKeys[]) {}

  static build(table: RecordTable, rules: readonly BlockingRule[]): BlockingKeys | undefined {
    const built: RuleKeys[] = [];
    for (const rule of rules) {
      if (rule.kind !== 'key') return undefined;
      const compiled: unknown = compileBlockingRule(table, rule);
      if (!isCompiledKeyRule(compiled)) return undefined;
      const { order, blockStart } = compiled;
      const idOfKey = new Map<string, number>();
      // One derived string per distinct key (from its first row), none per record.
      for (let k = 1; k + 1 < blockStart.length; k++) {
        if (blockStart[k] === blockStart[k + 1]) continue;
        const key = keyOf(table, order[blockStart[k]], rule);
        if (key !== undefined) idOfKey.set(key, k);
      }
      built.push({ rule, idOfKey: KeyIds.of(idOfKey), order, blockStart });
    }
    return new BlockingKeys(built);
  }

  /**
   * The keys of the merged table (see mergeTables): the base rows moved to
   * their merged rows, the added records' keys derived and put in their blocks.
   * Linear in the records, without deriving the base's keys again.
   */
  merged(baseRow: Uint32Array, added: RecordTable, extraRow: Uint32Array): BlockingKeys {
    return new BlockingKeys(
      this.rules.map(({ rule, idOfKey, order, blockStart }) => {
        const keyOfAdded = new Uint32Array(added.size);
        let keys = blockStart.length - 1;
        for (let row = 0; row < added.size; row++) {
          const key = keyOf(added, row, rule);
          if (key === undefined) continue;
          let k = idOfKey.get(key);
          // Ids past the old blocks are new keys (an old view never reads them: its blocks end before);
          // one past this view's blocks was set by a change that did not commit, and is set again.
          if (k === undefined || k >= blockStart.length - 1) idOfKey.set(key, (k = keys++));
          keyOfAdded[row] = k;
        }
        // Block k is order[start[k] .. start[k + 1]) for keys 1 .. keys - 1.
        const sizes = new Uint32Array(keys);
        for (let k = 1; k + 1 < blockStart.length; k++) sizes[k] = blockStart[k + 1] - blockStart[k];
        for (let row = 0; row < added.size; row++) if (keyOfAdded[row] !== 0) sizes[keyOfAdded[row]]++;
        const start = new Uint32Array(keys + 1);
        for (let k = 1; k < keys; k++) start[k + 1] = start[k] + sizes[k];
        return { rule, idOfKey, ...fill(start, keys, order, blockStart, baseRow, keyOfAdded, extraRow) };
      }),
    );
  }

  /**
   * The keys of the table without some rows: `newRow[row]` is each row's
   * row in it, -1 for a dropped one. Blocks keep their ids (one may be left empty).
   */
  without(newRow: Int32Array): BlockingKeys {
    return new BlockingKeys(
      this.rules.map(({ rule, idOfKey, order, blockStart }) => {
        const kept = new Uint32Array(order.length);
        const start = new Uint32Array(blockStart.length);
        let at = 0;
        for (let k = 1; k + 1 < blockStart.length; k++) {
          start[k] = at;
          for (let p = blockStart[k]; p < blockStart[k + 1]; p++) if (newRow[order[p]] >= 0) kept[at++] = newRow[order[p]];
        }
        start[blockStart.length - 1] = at;
        return { rule, idOfKey, order: kept.slice(0, at), blockStart: start };
      }),
    );
  }

  /**
   * The index rows that share a key of some rule with row `row` of `query`
   * (a table of query records, normalized like the index's), ascending.
   */
  candidates(query: RecordTable, row: number): Uint32Array {
    let n = 0;
    for (const { rule, idOfKey, order, blockStart } of this.rules) {
      const key = keyOf(query, row, rule);
      if (key === undefined) continue;
      const k = idOfKey.get(key);
      if (k === undefined) continue;
      if (n + blockStart[k + 1] - blockStart[k] > gathered.length) {
        const grown = new Uint32Array(Math.max(2 * gathered.length, n + blockStart[k + 1] - blockStart[k]));
        grown.set(gathered.subarray(0, n));
        gathered = grown;
      }
      for (let p = blockStart[k]; p < blockStart[k + 1]; p++) gathered[n++] = order[p];
    }
    // Every rule's rows, sorted, each once.
    const rows = gathered.subarray(0, n).sort();
    let distinct = 0;
    for (let i = 0; i < n; i++) if (i === 0 || rows[i] !== rows[i - 1]) rows[distinct++] = rows[i];
    return rows.slice(0, distinct);
  }
}
