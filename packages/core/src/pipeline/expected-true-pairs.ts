import type { BlockingRule } from '@mpi/blocking';
import { isPersonRule } from '../defaults/field-kinds.js';
import type { FieldKind } from '../settings/settings.js';
import type { RuleCounting } from './block.js';

/**
 * The number of true pairs the data holds, estimated before any pair is
 * generated, from the tight blocking rules' pair counts (each rule given with the pairs it makes alone;
 * the single-key counts are asked for as RuleCounting steps).
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
export function* expectedTruePairs(
  rules: readonly { readonly rule: BlockingRule; readonly pairs: number }[],
  space: number,
  fieldKinds: ReadonlyMap<string, FieldKind>,
): RuleCounting<number> {
  if (space <= 0) return 0;
  const keyRates = new Map<string, number>();
  let best = 0;
  for (const { rule, pairs } of rules) {
    if (rule.kind !== 'key' || rule.unordered || rule.keys.length < 2) continue;
    if (!isPersonRule([...new Set(rule.keys.map((part) => part.column))], fieldKinds)) continue;
    let chance = space;
    for (const part of rule.keys) {
      const id = `${part.column}\u0000${part.transform ?? ''}`;
      let rate = keyRates.get(id);
      if (rate === undefined) {
        const single: BlockingRule = { kind: 'key', name: id, keys: [part] };
        rate = (yield single) / space;
        keyRates.set(id, rate);
      }
      chance *= rate;
    }
    best = Math.max(best, pairs - chance);
  }
  return Math.round(best);
}
