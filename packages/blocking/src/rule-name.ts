import type { BlockingRule, KeyPart } from './types.js';

function partName(part: KeyPart): string {
  if (part === null || typeof part !== 'object') return '?';
  const transform = part.transform ?? 'exact';
  return transform === 'exact' ? part.column : `${part.column}:${transform}`;
}

/**
 * The name a blocking rule is reported under: its `name`, or a readable default
 * such as `family_name:doubleMetaphone & birth_date:year` or `sn(family_name, window 5)`.
 */
export function blockingRuleName(rule: BlockingRule): string {
  if (rule.name !== undefined && rule.name !== '') return rule.name;
  const parts: readonly KeyPart[] = Array.isArray(rule.keys) ? rule.keys : [];
  const key = parts.map(partName).join(' & ');
  return rule.kind === 'sortedNeighbourhood' ? `sn(${key}, window ${rule.window})` : key;
}
