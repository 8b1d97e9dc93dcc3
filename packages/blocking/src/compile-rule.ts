import { deriveRecordKeys, deriveUnorderedRecordKeys, type RecordKeys } from './derive-key.js';
import { InvalidBlockingRuleError, UnknownBlockingColumnError } from './errors.js';
import { isKeyTransform } from './key-transforms.js';
import { radixSortByKey } from './radix-sort.js';
import { blockingRuleName } from './rule-name.js';
import type { BlockingRule, BlockingTable, CompiledBlockingRule } from './types.js';

/**
 * Records that have a key, sorted by (key id, row), and where each key's block
 * starts: block k is order[blockStart[k] .. blockStart[k + 1]). Rows inside a
 * block ascend, so block pairs come out with left < right.
 */
function groupByKey(keys: RecordKeys): { order: Uint32Array; blockStart: Uint32Array } {
  const { ids, count } = keys;
  const order = keys.order ?? sortByKey(ids, count);
  return { order, blockStart: blockStarts(ids, count, order) };
}

// Each loop over records is a small function of its own: compiled on-stack
// inside groupByKey, the code after the first loop bailed out of it on every
// later rule (see derive-key.ts).

/** The rows that have a key, sorted by (key id, row). */
function sortByKey(ids: Uint32Array, count: number): Uint32Array {
  let present = 0;
  for (let r = 0; r < ids.length; r++) if (ids[r] !== 0) present++;
  const rows = new Uint32Array(present);
  const keyOf = new Uint32Array(present);
  for (let r = 0, i = 0; r < ids.length; r++) {
    if (ids[r] !== 0) {
      rows[i] = r;
      keyOf[i++] = ids[r];
    }
  }
  return radixSortByKey(keyOf, count, [rows]).payloads[0];
}

/** Block boundaries from one sequential walk of the sorted order. */
function blockStarts(ids: Uint32Array, count: number, order: Uint32Array): Uint32Array {
  const blockStart = new Uint32Array(count + 2);
  let k = 0;
  for (let p = 0; p < order.length; p++) {
    const key = ids[order[p]];
    while (k < key) blockStart[++k] = p;
  }
  while (k <= count) blockStart[++k] = order.length;
  return blockStart;
}

/** A key rule: records pair when their whole key is present and equal. */
export class KeyBlockingRule implements CompiledBlockingRule {
  readonly kind = 'key' as const;
  readonly keyIds: Uint32Array;
  readonly keyCount: number;
  readonly order: Uint32Array;
  readonly blockStart: Uint32Array;
  constructor(
    readonly table: BlockingTable,
    readonly name: string,
    readonly rule: BlockingRule,
    readonly columns: readonly string[],
    keys: RecordKeys,
  ) {
    this.keyIds = keys.ids;
    this.keyCount = keys.count;
    ({ order: this.order, blockStart: this.blockStart } = groupByKey(keys));
  }

  covers(left: number, right: number): boolean {
    const k = this.keyIds[left];
    return k !== 0 && k === this.keyIds[right];
  }
}

/**
 * A sorted-neighbourhood rule: records with a key sorted by (key, row); each
 * pairs with the next window - 1 records in that order.
 */
export class SortedNeighbourhoodRule implements CompiledBlockingRule {
  readonly kind = 'sortedNeighbourhood' as const;
  readonly order: Uint32Array;
  /** Position of every record in `order`, -1 when it has no key. */
  readonly rank: Int32Array;
  constructor(
    readonly table: BlockingTable,
    readonly name: string,
    readonly rule: BlockingRule,
    readonly columns: readonly string[],
    keys: RecordKeys,
    readonly window: number,
  ) {
    this.order = groupByKey(keys).order;
    this.rank = new Int32Array(keys.ids.length).fill(-1);
    for (let p = 0; p < this.order.length; p++) this.rank[this.order[p]] = p;
  }

  covers(left: number, right: number): boolean {
    const a = this.rank[left];
    const b = this.rank[right];
    if (a < 0 || b < 0) return false;
    return (a > b ? a - b : b - a) < this.window;
  }
}

export type InternalBlockingRule = KeyBlockingRule | SortedNeighbourhoodRule;

function validate(table: BlockingTable, rule: BlockingRule, name: string): string[] {
  if (rule === null || typeof rule !== 'object') throw new InvalidBlockingRuleError(String(rule), 'not a rule object');
  const kind = (rule as { kind?: unknown }).kind;
  if (kind !== 'key' && kind !== 'sortedNeighbourhood') {
    throw new InvalidBlockingRuleError(name, `unknown kind '${String(kind)}' (expected 'key' or 'sortedNeighbourhood')`);
  }
  if (!Array.isArray(rule.keys) || rule.keys.length === 0) {
    throw new InvalidBlockingRuleError(name, 'it has no key parts');
  }
  const columns: string[] = [];
  for (const part of rule.keys) {
    if (part === null || typeof part !== 'object' || typeof part.column !== 'string' || part.column === '') {
      throw new InvalidBlockingRuleError(name, 'a key part has no column');
    }
    if (!Object.hasOwn(table.columns, part.column)) throw new UnknownBlockingColumnError(name, part.column);
    const transform = part.transform ?? 'exact';
    if (typeof transform !== 'string' || !isKeyTransform(transform)) {
      throw new InvalidBlockingRuleError(name, `column '${part.column}' has unknown transform '${String(transform)}'`);
    }
    if (!columns.includes(part.column)) columns.push(part.column);
  }
  if (rule.kind === 'key' && rule.unordered !== undefined && typeof rule.unordered !== 'boolean') {
    throw new InvalidBlockingRuleError(name, 'unordered must be a boolean');
  }
  if (rule.kind === 'sortedNeighbourhood') {
    const w = rule.window;
    if (typeof w !== 'number' || !Number.isSafeInteger(w) || w < 2) {
      throw new InvalidBlockingRuleError(name, `window must be an integer of at least 2 (got ${String(w)})`);
    }
  }
  return columns;
}

/** Binds a blocking rule to a record table, deriving every record's key once. */
export function compileRule(table: BlockingTable, rule: BlockingRule): InternalBlockingRule {
  const name = blockingRuleName(rule);
  const columns = validate(table, rule, name);
  const keys =
    rule.kind === 'key' && rule.unordered === true
      ? deriveUnorderedRecordKeys(table, rule.keys)
      : deriveRecordKeys(table, rule.keys, rule.kind === 'sortedNeighbourhood');
  return rule.kind === 'key'
    ? new KeyBlockingRule(table, name, rule, columns, keys)
    : new SortedNeighbourhoodRule(table, name, rule, columns, keys, rule.window);
}

/**
 * A rule ready to count or generate on `table`: a rule compiled by
 * compileBlockingRule on this very table is used as is (its keys are not derived
 * again), anything else is compiled.
 */
export function resolveRule(table: BlockingTable, rule: BlockingRule | CompiledBlockingRule): InternalBlockingRule {
  if ((rule instanceof KeyBlockingRule || rule instanceof SortedNeighbourhoodRule) && rule.table === table) return rule;
  if (isCompiled(rule)) return compileRule(table, rule.rule);
  return compileRule(table, rule);
}

function isCompiled(rule: BlockingRule | CompiledBlockingRule): rule is CompiledBlockingRule {
  return rule !== null && typeof rule === 'object' && typeof (rule as Partial<CompiledBlockingRule>).covers === 'function';
}

/**
 * Binds a blocking rule to a record table. Throws UnknownBlockingColumnError when
 * a key column is not in the table, InvalidBlockingRuleError for an empty key, an
 * unknown transform or a window below 2.
 */
export function compileBlockingRule(table: BlockingTable, rule: BlockingRule): CompiledBlockingRule {
  return compileRule(table, rule);
}
