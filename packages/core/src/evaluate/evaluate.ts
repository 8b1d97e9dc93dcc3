import { MpiError } from '../errors.js';

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

/**
 * The most records an Evaluation holds: V8 caps a Map at 2^24 entries, and each
 * record of the truth is one entry (past it, Map.set throws a RangeError).
 */
export const MAX_RECORDS = 2 ** 24;

const keyOf = (m: Membership) => `${m.source}\u0000${m.recordId}`;
const pairs = (n: number) => (n * (n - 1)) / 2;
const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

/** Numbers distinct labels 0, 1, 2... in order of first appearance. */
function labeller(): { readonly id: (label: string) => number; readonly count: () => number } {
  const ids = new Map<string, number>();
  return {
    id(label) {
      let id = ids.get(label);
      if (id === undefined) ids.set(label, (id = ids.size));
      return id;
    },
    count: () => ids.size,
  };
}

/**
 * An evaluation fed record by record (the truth first, then the predictions), so
 * a caller streaming two 10M-row files never holds them as objects.
 */
export class Evaluation {
  private readonly rowOf = new Map<string, number>();
  private readonly persons = labeller();
  private readonly groups = labeller();
  private readonly personOfRow: number[] = [];
  private groupOfRow: Int32Array | undefined;
  private duplicated = 0;
  private unexpected = 0;

  /** Adds a true membership (a record of a known person). */
  addTruth(t: Membership): void {
    if (this.groupOfRow !== undefined) throw new Error('Evaluation: add the truth before the predictions');
    const key = keyOf(t);
    if (this.rowOf.has(key)) return;
    if (this.rowOf.size === MAX_RECORDS) {
      throw new MpiError('TOO_MANY_RECORDS', `the truth names more than ${MAX_RECORDS} records, the most an evaluation in process holds: evaluate in DuckDB (evaluateInDuckDb, mpi evaluate --engine duckdb)`);
    }
    this.rowOf.set(key, this.personOfRow.length);
    this.personOfRow.push(this.persons.id(t.group));
  }

  /** Adds a predicted membership (a record's identity group). */
  addPredicted(p: Membership): void {
    this.groupOfRow ??= new Int32Array(this.personOfRow.length).fill(-1);
    const row = this.rowOf.get(keyOf(p));
    if (row === undefined) this.unexpected++;
    else if (this.groupOfRow[row] >= 0) this.duplicated++;
    else this.groupOfRow[row] = this.groups.id(p.group);
  }

  /** The scores of the memberships added so far, with the conservation check. */
  report(): EvaluationReport {
    const groupOfRow = (this.groupOfRow ??= new Int32Array(this.personOfRow.length).fill(-1));
    return contingencyReport(this.personOfRow, groupOfRow, this.persons.count(), this.groups.count(), this.unexpected, this.duplicated);
  }
}

/**
 * Scores predicted identity groups against true persons: pairwise and B-cubed
 * precision/recall/F1, split persons, mixed groups, and a conservation check
 * (every truth record must appear in exactly one group). Accuracy figures are
 * computed over the records present in both.
 *
 * Labels are numbered and the (group, person) contingency table is a sorted
 * typed array, so 10M records fit in a few GB rather than a Set per group.
 */
export function evaluate(predicted: Iterable<Membership>, truth: Iterable<Membership>): EvaluationReport {
  const evaluation = new Evaluation();
  for (const t of truth) evaluation.addTruth(t);
  for (const p of predicted) evaluation.addPredicted(p);
  return evaluation.report();
}

function contingencyReport(
  personOfRow: readonly number[],
  groupOfRow: Int32Array,
  personCount: number,
  groupCount: number,
  unexpected: number,
  duplicated: number,
): EvaluationReport {

  // Contingency table of (group, person) over records present in both: sorted cell codes.
  const codes: number[] = [];
  for (let row = 0; row < personOfRow.length; row++) {
    if (groupOfRow[row] >= 0) codes.push(groupOfRow[row] * personCount + personOfRow[row]);
  }
  const cells = Float64Array.from(codes).sort();
  const records = cells.length;
  const missing = personOfRow.length - records;
  const groupSizes = new Float64Array(groupCount);
  const personSizes = new Float64Array(personCount);
  for (const code of cells) {
    groupSizes[Math.floor(code / personCount)]++;
    personSizes[code % personCount]++;
  }
  const groupsOfPerson = new Int32Array(personCount);
  const personsOfGroup = new Int32Array(groupCount);
  let truePositives = 0;
  let bPrecision = 0;
  let bRecall = 0;
  for (let i = 0; i < cells.length; ) {
    let j = i + 1;
    while (j < cells.length && cells[j] === cells[i]) j++;
    const n = j - i;
    const group = Math.floor(cells[i] / personCount);
    const person = cells[i] % personCount;
    truePositives += pairs(n);
    // Each of the n records in this cell scores n/|group| and n/|person|.
    bPrecision += (n * n) / groupSizes[group];
    bRecall += (n * n) / personSizes[person];
    groupsOfPerson[person]++;
    personsOfGroup[group]++;
    i = j;
  }
  let predictedPairs = 0;
  let presentGroups = 0;
  for (const n of groupSizes) {
    predictedPairs += pairs(n);
    if (n > 0) presentGroups++;
  }
  let truePairs = 0;
  let presentPersons = 0;
  for (const n of personSizes) {
    truePairs += pairs(n);
    if (n > 0) presentPersons++;
  }
  return reportOfCounts({
    records,
    missing,
    unexpected,
    duplicated,
    truePositives,
    predictedPairs,
    truePairs,
    bPrecisionSum: bPrecision,
    bRecallSum: bRecall,
    splitPersons: groupsOfPerson.reduce((n, count) => n + (count > 1 ? 1 : 0), 0),
    mixedGroups: personsOfGroup.reduce((n, count) => n + (count > 1 ? 1 : 0), 0),
    groups: presentGroups,
    persons: presentPersons,
  });
}

/**
 * What an evaluation counts over the contingency table of (group, person), the
 * records in both files: the report is these counts' ratios (shared by the
 * in-process and the DuckDB evaluation).
 */
export interface ContingencyCounts {
  readonly records: number;
  readonly missing: number;
  readonly unexpected: number;
  readonly duplicated: number;
  /** Pairs of records in one cell (same group, same person). */
  readonly truePositives: number;
  readonly predictedPairs: number;
  readonly truePairs: number;
  /** Over records: the share of its group that is its cell, summed (B-cubed precision times records). */
  readonly bPrecisionSum: number;
  /** Over records: the share of its person that is its cell, summed. */
  readonly bRecallSum: number;
  readonly splitPersons: number;
  readonly mixedGroups: number;
  readonly groups: number;
  readonly persons: number;
}

/** The report of an evaluation's counts. */
export function reportOfCounts(counts: ContingencyCounts): EvaluationReport {
  const { records, missing, unexpected, duplicated, truePositives, predictedPairs, truePairs } = counts;
  const precision = ratio(truePositives, predictedPairs);
  const recall = ratio(truePositives, truePairs);
  const bp = records === 0 ? 1 : counts.bPrecisionSum / records;
  const br = records === 0 ? 1 : counts.bRecallSum / records;
  return {
    records,
    pairwise: { precision, recall, f1: f1(precision, recall), truePositives, predictedPairs, truePairs },
    bcubed: { precision: bp, recall: br, f1: f1(bp, br) },
    splitPersons: counts.splitPersons,
    mixedGroups: counts.mixedGroups,
    groups: counts.groups,
    persons: counts.persons,
    conservation: { ok: missing === 0 && unexpected === 0 && duplicated === 0, missing, unexpected, duplicated },
  };
}
