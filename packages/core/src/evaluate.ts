/** One record's membership: the group (identity or true person) it belongs to. */
export interface Membership {
  readonly source: string;
  readonly recordId: string;
  readonly group: string;
}

/** Accuracy of identity groups against the truth. */
export interface EvaluationReport {
  readonly records: number;
  /** Pairwise: a pair of records is predicted when they share a group, true when they share a person. */
  readonly pairwise: { readonly precision: number; readonly recall: number; readonly f1: number; readonly truePositives: number; readonly predictedPairs: number; readonly truePairs: number };
  /** B-cubed: per-record precision/recall of its group against its person, averaged over records. */
  readonly bcubed: { readonly precision: number; readonly recall: number; readonly f1: number };
  /** True persons whose records fall in more than one group. */
  readonly splitPersons: number;
  /** Groups holding records of more than one person. */
  readonly mixedGroups: number;
  readonly groups: number;
  readonly persons: number;
  /** Conservation: records in the truth but in no group, in a group but not in the truth, and in a group twice. */
  readonly conservation: { readonly ok: boolean; readonly missing: number; readonly unexpected: number; readonly duplicated: number };
}

const keyOf = (m: Membership) => `${m.source}\u0000${m.recordId}`;
const pairs = (n: number) => (n * (n - 1)) / 2;
const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);


/**
 * Scores predicted identity groups against true persons: pairwise and B-cubed
 * precision/recall/F1, split persons, mixed groups, and a conservation check
 * (every truth record must appear in exactly one group). Accuracy figures are
 * computed over the records present in both.
 */
export function evaluate(predicted: Iterable<Membership>, truth: Iterable<Membership>): EvaluationReport {
  const personOf = new Map<string, string>();
  for (const t of truth) personOf.set(keyOf(t), t.group);
  const groupOf = new Map<string, string>();
  let duplicated = 0;
  let unexpected = 0;
  for (const p of predicted) {
    const key = keyOf(p);
    if (groupOf.has(key)) duplicated++;
    else if (!personOf.has(key)) unexpected++;
    else groupOf.set(key, p.group);
  }
  const missing = personOf.size - groupOf.size;

  // Contingency table of (group, person) over records present in both.
  const cells = new Map<string, number>();
  const groupSizes = new Map<string, number>();
  const personSizes = new Map<string, number>();
  const personsPerGroup = new Map<string, Set<string>>();
  const groupsPerPerson = new Map<string, Set<string>>();
  for (const [key, group] of groupOf) {
    const person = personOf.get(key)!;
    const cell = `${group}\u0000${person}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
    groupSizes.set(group, (groupSizes.get(group) ?? 0) + 1);
    personSizes.set(person, (personSizes.get(person) ?? 0) + 1);
    if (!personsPerGroup.has(group)) personsPerGroup.set(group, new Set());
    personsPerGroup.get(group)!.add(person);
    if (!groupsPerPerson.has(person)) groupsPerPerson.set(person, new Set());
    groupsPerPerson.get(person)!.add(group);
  }
  let truePositives = 0;
  let bPrecision = 0;
  let bRecall = 0;
  for (const [cell, n] of cells) {
    truePositives += pairs(n);
    const [group, person] = cell.split('\u0000');
    // Each of the n records in this cell scores n/|group| and n/|person|.
    bPrecision += (n * n) / groupSizes.get(group)!;
    bRecall += (n * n) / personSizes.get(person)!;
  }
  let predictedPairs = 0;
  for (const n of groupSizes.values()) predictedPairs += pairs(n);
  let truePairs = 0;
  for (const n of personSizes.values()) truePairs += pairs(n);
  const records = groupOf.size;
  const precision = ratio(truePositives, predictedPairs);
  const recall = ratio(truePositives, truePairs);
  const bp = records === 0 ? 1 : bPrecision / records;
  const br = records === 0 ? 1 : bRecall / records;
  return {
    records,
    pairwise: { precision, recall, f1: f1(precision, recall), truePositives, predictedPairs, truePairs },
    bcubed: { precision: bp, recall: br, f1: f1(bp, br) },
    splitPersons: [...groupsPerPerson.values()].filter((s) => s.size > 1).length,
    mixedGroups: [...personsPerGroup.values()].filter((s) => s.size > 1).length,
    groups: groupSizes.size,
    persons: personSizes.size,
    conservation: { ok: missing === 0 && unexpected === 0 && duplicated === 0, missing, unexpected, duplicated },
  };
}
