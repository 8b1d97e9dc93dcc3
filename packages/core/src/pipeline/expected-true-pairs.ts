import { compileBlockingRule, countRulePairs, type CompiledBlockingRule, type KeyPart, type LinkMode } from '@mpi/blocking';
import { isPersonRule } from '../defaults/field-kinds.js';
import type { RecordTable } from '../read/record-table.js';

/**
 * The number of true pairs the data holds, estimated before any pair is
 * generated, from the tight blocking rules' pair counts (each rule given with the pairs it makes alone).
 *
 * A rule over several keys (birth date and given-name initial) pairs records
 * that agree on every key. Among non-matches the keys agree about independently,
 * so the pairs a rule makes by chance are the space times the product of each
 * key's own agreement rate (its own pair count over the space); what the rule
 * makes beyond that is agreement that goes together: the same person. The largest
 * excess over the rules is the estimate, a lower bound (no rule finds every true
 * pair). Only rules over person fields count (an address rule's excess is
 * households), and only ordered ones (an unordered name pair has no single-key
 * decomposition).
 *
 * On many records per person the true pairs far outnumber any fixed per-record
 * allowance (10 records a person is ~5 true pairs a record, 30 is ~15), and it is
 * this figure that sizes how many pairs a broad rule may add (see broadRuleAllowance).
 */
export function expectedTruePairs(
  table: RecordTable,
  rules: readonly { readonly rule: CompiledBlockingRule; readonly pairs: number }[],
  space: number,
  mode: LinkMode,
): number {
  if (space <= 0) return 0;
  const keyRates = new Map<string, number>();
  const rate = (part: KeyPart): number => {
    const id = `${part.column}\u0000${part.transform ?? ''}`;
    let value = keyRates.get(id);
    if (value === undefined) {
      const single = compileBlockingRule(table, { kind: 'key', name: id, keys: [part] });
      value = countRulePairs(table, [single], mode)[0] / space;
      keyRates.set(id, value);
    }
    return value;
  };
  let best = 0;
  for (const { rule: compiled, pairs } of rules) {
    const { rule } = compiled;
    if (rule.kind !== 'key' || rule.unordered || rule.keys.length < 2) continue;
    if (!isPersonRule(compiled.columns, table.fieldKinds)) continue;
    const chance = rule.keys.reduce((product, part) => product * rate(part), space);
    best = Math.max(best, pairs - chance);
  }
  return Math.round(best);
}
