import type { Dialect } from './dialects.js';
import type { Expr } from './plan/expression.js';
import { featureColumn, type LinkagePlan, type PlanBlockingRule, type PlanComparison } from './plan/plan.js';

/** One statement of the job, with what it does. */
export interface SqlStatement {
  readonly step: string;
  readonly sql: string;
}

/**
 * The statements of a plan in one dialect. The input is a `records` table (see
 * recordsSchema): one row per record, `row` its canonical row number. The job
 * makes `candidate_pairs`, `comparison_vectors`, `scored_pairs` and `links`,
 * then labels connected components by iterative label propagation: run
 * `propagate` until `changed` returns 0, then `troubled` finds the components the
 * average-linkage split re-clusters (their pairs in `troubled_pairs`).
 */
export interface SqlJob {
  /** Blocking keys, candidate pairs and comparison vectors, then scoring and links: `compare` then `score`. */
  readonly setup: readonly SqlStatement[];
  /** Blocking keys and candidate pairs: the start of `compare`. */
  readonly pairs: readonly SqlStatement[];
  /** Blocking keys, candidate pairs and comparison vectors kept as a table (to inspect the levels; training counts the pairs in the comparison join instead, trainingCountsSql). */
  readonly compare: readonly SqlStatement[];
  /** Match weights, links and the first labels. */
  readonly score: readonly SqlStatement[];
  /** Links and the first labels, from `scored_pairs`: the end of `score`. */
  readonly link: readonly SqlStatement[];
  /** One round of label propagation: `cluster_labels` becomes `cluster_labels_next`. */
  readonly propagate: readonly SqlStatement[];
  /** Rows whose label the last round changed. */
  readonly changed: string;
  readonly finish: readonly SqlStatement[];
}

/** Renders an expression; `l` and `r` are the left and right records. */
export function renderExpr(expr: Expr, dialect: Dialect, alias: { left: string; right: string } = { left: 'l', right: 'r' }): string {
  const render = (e: Expr): string => renderExpr(e, dialect, alias);
  switch (expr.op) {
    case 'column':
      return `${expr.side === 'left' ? alias.left : alias.right}.${dialect.quote(featureColumn(expr.column, expr.feature))}`;
    case 'number':
      return Number.isInteger(expr.value) ? String(expr.value) : dialect.double(expr.value);
    case 'call':
      return dialect.functions[expr.fn](expr.args.map(render));
    case 'compare':
      return `${render(expr.a)} ${expr.comparator} ${render(expr.b)}`;
    case 'minus':
      return `(${render(expr.a)} - ${render(expr.b)})`;
    case 'times':
      return `(${render(expr.a)} * ${render(expr.b)})`;
    case 'guarded':
      // A CASE evaluates its THEN only where its WHEN holds (a plain AND may compute both sides).
      return `(CASE WHEN ${render(expr.guard)} THEN ${render(expr.test)} ELSE FALSE END)`;
    case 'and':
    case 'or':
      return `(${expr.args.map(render).join(expr.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'isNull':
      return `${render(expr.arg)} IS NULL`;
    case 'true':
      return 'TRUE';
    case 'false':
      return 'FALSE';
  }
}

const indent = (lines: readonly string[], by = '  ') => lines.map((line) => by + line).join(',\n');

/** A key rule's key: its one part, or the list of its parts (sorted for an unordered rule). */
function keyExpression(rule: PlanBlockingRule, d: Dialect, alias: string): string {
  const parts = rule.parts.map((part) => `${alias}.${d.quote(part.keyColumn)}`);
  if (parts.length === 1) return parts[0];
  return rule.unordered ? d.sortList(d.list(parts)) : d.list(parts);
}

/** Every key part of the rule is present. */
function present(rule: PlanBlockingRule, d: Dialect, alias: string): string {
  return rule.parts.map((part) => `${alias}.${d.quote(part.keyColumn)} IS NOT NULL`).join(' AND ');
}

/** The table of rule `rule`'s blocking keys: one row per record that has the key (row, source, id). */
export function ruleKeysTable(rule: PlanBlockingRule): string {
  return `rule_keys_${rule.index}`;
}

/**
 * The blocking keys of one rule as integers, one row per record that has every
 * key part: for a key rule the id of its key among the distinct keys, for sorted
 * neighbourhood its position in (key, row) order. A table per rule keeps each
 * statement to one DISTINCT and one join (one statement joining every rule's
 * distinct keys back to the records at once did not fit 500 MB at 1M records);
 * integers keep the self-joins cheap (comparing lists there cost ~20 s at 170k records).
 */
function ruleKeys(rule: PlanBlockingRule, d: Dialect): string {
  const q = d.quote;
  const columns = `r.${q('row')}, r.${q('source')}`;
  if (rule.kind === 'sortedNeighbourhood') {
    const parts = rule.parts.map((part) => `r.${q(part.keyColumn)}`);
    return `SELECT ${columns}, row_number() OVER (ORDER BY ${parts.join(', ')}, r.${q('row')}) AS id\nFROM records r\nWHERE ${present(rule, d, 'r')}`;
  }
  // The ids' values do not matter, only that equal keys share one.
  return (
    `SELECT ${columns}, k.id\nFROM records r\n` +
    `JOIN (SELECT key, row_number() OVER () AS id FROM (SELECT DISTINCT ${keyExpression(rule, d, 'x')} AS key FROM records x WHERE ${present(rule, d, 'x')}) distinct_keys) k\n` +
    `  ON k.key = ${keyExpression(rule, d, 'r')}\nWHERE ${present(rule, d, 'r')}`
  );
}

/** The bit of rule `rule` in a pair's `rules` (the rules that make it). */
function ruleBit(rule: number): number {
  return 2 ** rule;
}

/** The most blocking rules a pair's `rules` bit set holds (a BIGINT, exact below 2^53). */
export const MAX_BLOCKING_RULES = 52;

/** Every pair rule `rule` makes (a pair of one rule may be another's too), with the rule and its bit. */
function rulePairs(plan: LinkagePlan, rule: PlanBlockingRule, d: Dialect): string {
  const row = d.quote('row');
  const keys = ruleKeysTable(rule);
  const where = plan.mode === 'link' ? `\nWHERE l.${d.quote('source')} <> r.${d.quote('source')}` : '';
  const tags = `${rule.index} AS rule, CAST(${ruleBit(rule.index)} AS BIGINT) AS bit`;
  if (rule.kind === 'sortedNeighbourhood') {
    return (
      `SELECT least(l.${row}, r.${row}) AS left_row, greatest(l.${row}, r.${row}) AS right_row, ${tags}\n` +
      `FROM ${keys} l JOIN ${keys} r ON r.id > l.id AND r.id < l.id + ${rule.window}` +
      where
    );
  }
  return `SELECT l.${row} AS left_row, r.${row} AS right_row, ${tags}\nFROM ${keys} l JOIN ${keys} r ON l.id = r.id AND l.${row} < r.${row}` + where;
}

/**
 * Each pair once, with the first rule that makes it (`rule`) and the bit set of
 * every rule that makes it (`rules`, bit k for rule k: an EM session's pairs
 * are those its rule makes), from `rule_pairs` (every rule's pairs, one
 * statement a rule). Grouping needs only the pairs (an aggregate DuckDB spills);
 * testing "no earlier rule makes it" per pair needed every rule's keys of both
 * records in each rule's join. At 10M records the rules' joins and the grouping
 * in one statement ran out of a 2 GB memory limit (docs/sql-engine.md).
 */
function candidatePairs(plan: LinkagePlan, d: Dialect): string {
  if (plan.blocking.length === 0) return `SELECT CAST(NULL AS INTEGER) AS left_row, CAST(NULL AS INTEGER) AS right_row, 0 AS rule, CAST(0 AS BIGINT) AS rules WHERE 1 = 0`;
  return `SELECT left_row, right_row, min(rule) AS rule, ${d.bitOrAggregate('bit')} AS rules\nFROM rule_pairs\nGROUP BY left_row, right_row${d.pairsOrder}`;
}

/** The statements that add a query's rows to `table`: the first adds create it, later ones insert. */
function createOrInsert(d: Dialect, table: string, query: string, first: boolean): string[] {
  return first ? d.createTable(table, query) : [`INSERT INTO ${d.quote(table)}\n${query}`];
}

/** The statements that make each blocking rule's keys table (`rule_keys_k`). */
export function ruleKeysSql(plan: LinkagePlan, d: Dialect): SqlStatement[] {
  return plan.blocking.flatMap((rule) => d.createTable(ruleKeysTable(rule), ruleKeys(rule, d)).map((sql) => ({ step: `blocking keys of rule ${rule.index}`, sql })));
}

/** At least the number of pairs rule `rule` makes (before the link mode's same-source pairs are left out): one count over its keys table. */
export function rulePairCountSql(rule: PlanBlockingRule, d: Dialect): string {
  const keys = ruleKeysTable(rule);
  if (rule.kind === 'sortedNeighbourhood') return `SELECT count(*) * ${rule.window! - 1} FROM ${keys}`;
  return `SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM (SELECT count(*) AS n FROM ${keys} GROUP BY id) key_sizes`;
}

/**
 * The pairs rule `rule` makes whose left row (the lower) is in `rows` [from,
 * to). Sorted neighbourhood as an equality join on the position plus an
 * offset (each side of the window), not a band join: a band join cannot read
 * only the block's rows on one side.
 */
function rulePairsOfRows(plan: LinkagePlan, rule: PlanBlockingRule, d: Dialect, [from, to]: readonly [number, number]): string {
  const row = d.quote('row');
  const keys = ruleKeysTable(rule);
  const tags = `${rule.index} AS rule, CAST(${ruleBit(rule.index)} AS BIGINT) AS bit`;
  const where = [`l.${row} >= ${from}`, `l.${row} < ${to}`, `r.${row} > l.${row}`];
  if (plan.mode === 'link') where.push(`l.${d.quote('source')} <> r.${d.quote('source')}`);
  if (rule.kind === 'sortedNeighbourhood') {
    const w = rule.window!;
    return (
      `SELECT l.${row} AS left_row, r.${row} AS right_row, ${tags}\n` +
      `FROM ${keys} l CROSS JOIN range(${1 - w}, ${w}) o(k) JOIN ${keys} r ON r.id = l.id + o.k\nWHERE o.k <> 0 AND ${where.join(' AND ')}`
    );
  }
  return `SELECT l.${row} AS left_row, r.${row} AS right_row, ${tags}\nFROM ${keys} l JOIN ${keys} r ON l.id = r.id\nWHERE ${where.join(' AND ')}`;
}

/** Every rule's pairs whose left row is in `rows`, into `rule_pairs` (one block of the candidate pairs; DuckDB's dialect). */
export function rulePairsBlockSql(plan: LinkagePlan, d: Dialect, rows: readonly [number, number]): SqlStatement[] {
  const step = (rule: PlanBlockingRule) => `pairs of rule ${rule.index}, left rows ${rows[0]}-${rows[1] - 1}`;
  return plan.blocking.flatMap((rule) => createOrInsert(d, 'rule_pairs', rulePairsOfRows(plan, rule, d, rows), rule.index === 0).map((sql) => ({ step: step(rule), sql })));
}

/**
 * One block's candidate pairs from `rule_pairs` into `candidate_pairs` (the
 * first block creates it), each pair once as candidatePairs makes them, then
 * `rule_pairs` dropped: a pair's every rule gives it the same left row, so the
 * grouping of a block is the grouping of all pairs restricted to it, and it
 * needs memory for one block's pairs, not every rule's pairs of every record
 * (at 50M records the global grouping spilled past 65 GB, docs/sql-engine.md).
 */
export function candidatePairsBlockSql(plan: LinkagePlan, d: Dialect, first: boolean): SqlStatement[] {
  const step = 'candidate pairs (each pair once: the first rule that makes it, and every rule that does)';
  const query = candidatePairs(plan, d);
  return [...createOrInsert(d, 'candidate_pairs', query, first).map((sql) => ({ step, sql })), { step: 'pairs of every rule', sql: d.dropTable('rule_pairs') }];
}

/** Drops each blocking rule's keys table. */
export function dropRuleKeysSql(plan: LinkagePlan, d: Dialect): SqlStatement[] {
  return plan.blocking.map((rule) => ({ step: `blocking keys of rule ${rule.index}`, sql: d.dropTable(ruleKeysTable(rule)) }));
}

/** Pair `alias` is made by blocking rule `rule` (its bit is set in the pair's rules). */
function madeByRule(rule: number, d: Dialect, alias: string): string {
  return d.hasBits(`${alias}.rules`, ruleBit(rule));
}

/** The comparison's level as a CASE over its conditions, in level order. */
function gamma(comparison: PlanComparison, d: Dialect): string {
  const last = comparison.levels.length - 1;
  const whens = comparison.levels.slice(0, last).map((level) => `WHEN ${renderExpr(level.condition, d)} THEN ${level.index}`);
  return `CASE ${whens.join(' ')} ELSE ${last} END AS ${d.quote(`gamma_${comparison.name}`)}`;
}

/**
 * The frequency a pair's term-frequency adjustment reads (pairFrequency of
 * @mpi/scoring): the larger of the two records' first values', or for a
 * multi-valued comparison the rarest value both records hold in any value column.
 */
function pairFrequency(c: PlanComparison, d: Dialect): string {
  const q = d.quote;
  const zero = d.double(0);
  const tf = c.tfColumns!;
  const first = `greatest(coalesce(l.${q(tf[0])}, ${zero}), coalesce(r.${q(tf[0])}, ${zero}))`;
  if (c.valueColumns.length === 1) return first;
  const infinity = d.double(Infinity);
  const shared = c.valueColumns.flatMap((a, i) =>
    c.valueColumns.map((b) => `coalesce(CASE WHEN l.${q(a)} = r.${q(b)} THEN l.${q(tf[i])} END, ${infinity})`),
  );
  return `(CASE WHEN least(${shared.join(', ')}) < ${infinity} THEN least(${shared.join(', ')}) ELSE ${first} END)`;
}

/** A pair compares none of the identifying comparisons (household evidence alone, LinkagePlan.identifying). */
function householdAlone(plan: LinkagePlan, d: Dialect): string {
  if (plan.identifying.length === 0) return '1 = 1';
  return plan.identifying.map((c) => `${d.quote(`gamma_${plan.comparisons[c].name}`)} = 0`).join(' AND ');
}

/** The comparison's term: its level's weight (of household evidence alone where it applies) plus the term-frequency adjustment where the level has one. */
function term(plan: LinkagePlan, comparison: PlanComparison, d: Dialect): string {
  const g = d.quote(`gamma_${comparison.name}`);
  const tf = d.quote(`tf_${comparison.name}`);
  const whens = comparison.levels.slice(1).map((level) => {
    const adjust = level.tfReferenceU === undefined ? '' : ` + (CASE WHEN ${tf} > 0 THEN ${d.log2(`${d.double(level.tfReferenceU)} / ${tf}`)} ELSE ${d.double(0)} END)`;
    const weight =
      level.householdAloneWeight === undefined
        ? d.double(level.weight)
        : `(CASE WHEN ${householdAlone(plan, d)} THEN ${d.double(level.householdAloneWeight)} ELSE ${d.double(level.weight)} END)`;
    return `WHEN ${level.index} THEN ${weight}${adjust}`;
  });
  return `CASE ${g} ${whens.join(' ')} ELSE ${d.double(0)} END AS ${d.quote(`term_${comparison.name}`)}`;
}

function roleCount(plan: LinkagePlan, role: 'agrees' | 'disagrees', d: Dialect): string {
  const counts = plan.comparisons
    .filter((c) => c.demographic)
    .map((c) => {
      const levels = c.levels.filter((level) => level.vetoRole === role).map((level) => level.index);
      return levels.length === 0 ? '0' : `(CASE WHEN ${d.quote(`gamma_${c.name}`)} IN (${levels.join(', ')}) THEN 1 ELSE 0 END)`;
    });
  return counts.join(' + ');
}

/**
 * The match weight: the prior, each ungrouped term in comparison order, then per
 * evidence group its strongest agreement and strongest disagreement, added in
 * the order scoring adds them (so the sums round alike); a vetoed pair keeps no
 * positive term of a non-demographic comparison.
 */
function matchWeight(plan: LinkagePlan, d: Dialect): { terms: string[]; weight: string } {
  const zero = d.double(0);
  const terms = plan.comparisons.map((c) => {
    const t = d.quote(`term_${c.name}`);
    return plan.veto !== undefined && !c.demographic ? `CASE WHEN veto AND ${t} > 0 THEN ${zero} ELSE ${t} END` : t;
  });
  let weight = d.double(plan.priorWeight);
  plan.comparisons.forEach((c, i) => {
    if (c.evidenceGroup < 0) weight = `${weight} + ${terms[i]}`;
  });
  for (let g = 0; g < plan.evidenceGroups; g++) {
    const members = plan.comparisons.flatMap((c, i) => (c.evidenceGroup === g ? [terms[i]] : []));
    weight = `${weight} + (greatest(${zero}, ${members.join(', ')}) + least(${zero}, ${members.join(', ')}))`;
  }
  const gamma = (c: number) => d.quote(`gamma_${plan.comparisons[c].name}`);
  for (const term of plan.interactions) {
    const cell = [
      `${gamma(term.a)} = ${term.levelA}`,
      `${gamma(term.b)} = ${term.levelB}`,
      ...term.disagreeing.map(({ comparison, agreeingLevels }) =>
        [`${gamma(comparison)} <> 0`, ...(agreeingLevels.length > 0 ? [`${gamma(comparison)} NOT IN (${agreeingLevels.join(', ')})`] : [])].join(' AND '),
      ),
    ];
    weight = `${weight} + (CASE WHEN ${cell.join(' AND ')} THEN ${d.double(term.weight)} ELSE ${zero} END)`;
  }
  return { terms, weight };
}

const SCORE_STEP = 'match weights (prior + level weights + term-frequency adjustments; evidence groups; demographic veto)';

/** Record rows [from, to) of each side of a pair: one partition of the comparison join (left rows are below right rows). */
export interface PairBlock {
  readonly left: readonly [number, number];
  readonly right: readonly [number, number];
}

/**
 * The comparison vectors of the candidate pairs (of one block of them): the
 * pair, its rules, each comparison's level and the frequencies its
 * term-frequency adjustment reads (and `extra` columns of the two records `l`
 * and `r`). Each side of the join reads only its block's records, so a block's
 * join needs memory for the records of two blocks, however many records there
 * are (docs/sql-engine.md).
 */
export function comparisonVectorsSql(plan: LinkagePlan, d: Dialect, block?: PairBlock, extra: readonly string[] = []): string {
  const q = d.quote;
  const row = q('row');
  const tfColumns = plan.comparisons.flatMap((c) => (c.tfColumns === undefined ? [] : [`${pairFrequency(c, d)} AS ${q(`tf_${c.name}`)}`]));
  const range = (column: string, [from, to]: readonly [number, number]) => `${column} >= ${from} AND ${column} < ${to}`;
  const where =
    block === undefined
      ? ''
      : `\nWHERE ${[range('p.left_row', block.left), range('p.right_row', block.right), range(`l.${row}`, block.left), range(`r.${row}`, block.right)].join('\n  AND ')}`;
  return (
    `SELECT p.left_row, p.right_row, p.rule, p.rules,\n${indent([...plan.comparisons.map((c) => gamma(c, d)), ...tfColumns, ...extra])}\n` +
    `FROM candidate_pairs p\nJOIN records l ON l.${row} = p.left_row\nJOIN records r ON r.${row} = p.right_row${where}`
  );
}

/**
 * The pairs and their match weights from comparison vectors: `vectors` is a
 * table (`comparison_vectors`) or a parenthesised query of them (scoring in the
 * comparison statement, where only the weights are kept).
 */
export function scoredPairsSql(plan: LinkagePlan, d: Dialect, vectors: string): string {
  const { weight } = matchWeight(plan, d);
  const veto = plan.veto === undefined ? '' : `,\n  (${roleCount(plan, 'disagrees', d)}) >= ${plan.veto.disagreements} AND (${roleCount(plan, 'agrees', d)}) = 0 AS veto`;
  return (
    `SELECT left_row, right_row, rule,\n  ${weight} AS match_weight\n` +
    `FROM (\n  SELECT *,\n${indent(plan.comparisons.map((c) => term(plan, c, d)), '    ')}${veto}\n  FROM ${vectors} vectors\n) terms`
  );
}

/** The statements that add one block's rows to `table` (the first block creates it). */
function blockStatements(d: Dialect, table: string, query: string, step: string, block: PairBlock, first: boolean): SqlStatement[] {
  return createOrInsert(d, table, query, first).map((sql) => ({ step: `${step}, rows ${block.left[0]}-${block.left[1] - 1} with ${block.right[0]}-${block.right[1] - 1}`, sql }));
}

/** Scores the pairs of one block into `scored_pairs` in the comparison statement: no comparison vectors are kept. */
export function scoredBlockSql(plan: LinkagePlan, d: Dialect, block: PairBlock, first: boolean): SqlStatement[] {
  return blockStatements(d, 'scored_pairs', scoredPairsSql(plan, d, `(\n${comparisonVectorsSql(plan, d, block)}\n)`), SCORE_STEP, block, first);
}

/** The comparison vectors of one block into `comparison_vectors` (kept to inspect the levels). */
export function comparisonBlockSql(plan: LinkagePlan, d: Dialect, block: PairBlock, first: boolean): SqlStatement[] {
  return blockStatements(d, 'comparison_vectors', comparisonVectorsSql(plan, d, block), 'comparison vectors', block, first);
}

/** The statements of the whole job in one dialect. */
export function renderJob(plan: LinkagePlan, d: Dialect): SqlJob {
  const q = d.quote;
  const row = q('row');
  const setup: SqlStatement[] = [];
  const create = (step: string, name: string, query: string) => {
    for (const sql of d.createTable(name, query)) setup.push({ step, sql });
  };

  if (plan.blocking.length > MAX_BLOCKING_RULES) throw new RangeError(`at most ${MAX_BLOCKING_RULES} blocking rules run in SQL (a pair's rules are bits of one integer); ${plan.blocking.length} given`);
  setup.push(...ruleKeysSql(plan, d));
  for (const rule of plan.blocking) {
    for (const sql of createOrInsert(d, 'rule_pairs', rulePairs(plan, rule, d), rule.index === 0)) setup.push({ step: `pairs of rule ${rule.index}`, sql });
  }
  create('candidate pairs (each pair once: the first rule that makes it, and every rule that does)', 'candidate_pairs', candidatePairs(plan, d));
  setup.push(...dropRuleKeysSql(plan, d));
  if (plan.blocking.length > 0) setup.push({ step: 'pairs of every rule', sql: d.dropTable('rule_pairs') });
  const pairs = setup.length;
  create('comparison vectors', 'comparison_vectors', comparisonVectorsSql(plan, d));
  const compare = setup.length;
  create(SCORE_STEP, 'scored_pairs', scoredPairsSql(plan, d, 'comparison_vectors'));
  const scored = setup.length;

  const t = d.double(plan.thresholdWeight);
  create('links: pairs at or above the threshold', 'links', `SELECT left_row, right_row FROM scored_pairs WHERE match_weight >= ${t}`);
  create('link edges, both directions', 'link_edges', `SELECT left_row AS a, right_row AS b FROM links\nUNION ALL\nSELECT right_row AS a, left_row AS b FROM links`);
  create('every linked row labelled by itself', 'cluster_labels', `SELECT DISTINCT a AS ${row}, a AS label FROM link_edges`);

  const propagate: SqlStatement[] = [];
  for (const sql of d.createTable(
    'cluster_labels_next',
    // The smallest label among the row's neighbours, and the label of its label
    // (pointer jumping: long chains converge in fewer rounds).
    `SELECT c.${row}, least(c.label, coalesce(m.label, c.label), j.label) AS label\nFROM cluster_labels c\n` +
      `LEFT JOIN (SELECT e.a AS ${row}, min(n.label) AS label FROM link_edges e JOIN cluster_labels n ON n.${row} = e.b GROUP BY e.a) m ON m.${row} = c.${row}\n` +
      `JOIN cluster_labels j ON j.${row} = c.label`,
  )) {
    propagate.push({ step: 'label propagation round', sql });
  }
  const changed = `SELECT count(*) AS changed FROM cluster_labels_next n JOIN cluster_labels c ON c.${row} = n.${row} WHERE n.label <> c.label`;
  propagate.push({ step: 'label propagation round', sql: d.dropTable('cluster_labels') });
  propagate.push({ step: 'label propagation round', sql: d.renameTable('cluster_labels_next', 'cluster_labels') });

  const finish: SqlStatement[] = [];
  const inComponent = `FROM scored_pairs s\nJOIN cluster_labels a ON a.${row} = s.left_row\nJOIN cluster_labels b ON b.${row} = s.right_row`;
  for (const sql of d.createTable(
    'troubled_pairs',
    plan.clustering.method === 'averageLinkage'
      ? `SELECT s.left_row, s.right_row, s.match_weight, a.label\n${inComponent}\n` +
          `WHERE a.label = b.label AND a.label IN (SELECT a.label ${inComponent} WHERE a.label = b.label AND s.match_weight < ${t})`
      : `SELECT s.left_row, s.right_row, s.match_weight, a.label\n${inComponent}\nWHERE FALSE`,
  )) {
    finish.push({ step: 'pairs of the components holding a pair scored below the threshold (split by average linkage)', sql });
  }
  return { setup, pairs: setup.slice(0, pairs), compare: setup.slice(0, compare), score: setup.slice(compare), link: setup.slice(scored), propagate, changed, finish };
}

/** The job as one script, with the propagation round to repeat marked. */
export function jobScript(job: SqlJob): string {
  const block = (statements: readonly SqlStatement[]) => statements.map((s) => `-- ${s.step}\n${s.sql};`).join('\n\n');
  return [
    block(job.setup),
    '-- Repeat this round until the query after it returns 0 (about log2 of the longest chain of links rounds).',
    block(job.propagate.slice(0, -2)),
    `-- changed rows (stop when 0):\n${job.changed};`,
    block(job.propagate.slice(-2)),
    block(job.finish),
  ].join('\n\n');
}

/** The records-table columns the household share reads (householdShare of @mpi/core): present in the plan's columns. */
export interface HouseholdColumns {
  readonly street: string;
  /** The postcode, else the city. */
  readonly place: string;
  readonly given: string;
  readonly born: string;
}

/** What the training counts of a job hold besides the candidate pairs' patterns. */
export interface TrainingCountsOptions {
  /** Blocking-rule indices of the EM sessions (their pairs' patterns are counted too). */
  readonly sessions: readonly number[];
  /** Where the household share is read, or undefined when the data has not the fields to tell. */
  readonly household?: HouseholdColumns;
  /**
   * Count the candidate pairs by the frequency their term-frequency adjustment
   * reads too (default true: a cluster's counts are scored by our process).
   * False where the pairs are scored where they are (embedded DuckDB): the
   * frequencies make nearly every pair a row of its own (92,795 rows for 236,071
   * pairs at 50k records), only the levels are counted, all `tf_` NULL.
   */
  readonly frequencies?: boolean;
}

/** The columns of `training_counts` besides `session` and `pairs`: each comparison's level, the tf-adjusted comparisons' frequencies, the household flag. */
function countedColumns(plan: LinkagePlan, d: Dialect): { gammas: string[]; tfComparisons: PlanComparison[]; names: string[] } {
  const q = d.quote;
  const gammas = plan.comparisons.map((c) => q(`gamma_${c.name}`));
  const tfComparisons = plan.comparisons.filter((c) => c.tfColumns !== undefined);
  return { gammas, tfComparisons, names: [...gammas, ...tfComparisons.map((c) => q(`tf_${c.name}`)), q('household')] };
}

/**
 * A pair's household flag from its two records `l` and `r`: 0 not sharing an
 * address, 1 sharing it, 2 sharing it with a different given name and birth
 * date (always 0 without the columns to tell).
 */
function householdFlag(h: HouseholdColumns | undefined, d: Dialect): string {
  const q = d.quote;
  if (h === undefined) return '0';
  return (
    `CASE WHEN coalesce(l.${q(h.street)} = r.${q(h.street)} AND l.${q(h.place)} = r.${q(h.place)}, FALSE) THEN ` +
    `(CASE WHEN coalesce(l.${q(h.given)} <> r.${q(h.given)} AND l.${q(h.born)} <> r.${q(h.born)}, FALSE) THEN 2 ELSE 1 END) ELSE 0 END`
  );
}

/**
 * The candidate pairs (of one block) counted in the comparison join, no
 * comparison vector kept: by their levels, the frequency their
 * term-frequency adjustment reads (at tf-adjusted levels only, else NULL: it
 * changes no weight elsewhere), their household flag and the bit set of the
 * rules that make them (the EM sessions are read off it).
 */
function pairCountsSql(plan: LinkagePlan, d: Dialect, options: Omit<TrainingCountsOptions, 'sessions'>, block?: PairBlock): string {
  const q = d.quote;
  const { gammas, tfComparisons, names } = countedColumns(plan, d);
  const tf = tfComparisons.map((c) => {
    if (options.frequencies === false) return `CAST(NULL AS DOUBLE) AS ${q(`tf_${c.name}`)}`;
    const levels = c.levels.filter((level) => level.tfReferenceU !== undefined).map((level) => level.index);
    return `CASE WHEN v.${q(`gamma_${c.name}`)} IN (${levels.join(', ')}) THEN coalesce(v.${q(`tf_${c.name}`)}, ${d.double(0)}) END AS ${q(`tf_${c.name}`)}`;
  });
  const vectors = comparisonVectorsSql(plan, d, block, [`${householdFlag(options.household, d)} AS ${q('household')}`]);
  // Grouped outside: an alias in GROUP BY would name the vectors' own tf column in some engines (and Trino takes none).
  return (
    `SELECT ${names.join(', ')}, rules, count(*) AS ${q('pairs')}\n` +
    `FROM (\n  SELECT ${[...gammas.map((g) => `v.${g}`), ...tf].join(', ')}, v.${q('household')}, v.rules\n  FROM (\n${vectors}\n  ) v\n) pairs\nGROUP BY ${names.join(', ')}, rules`
  );
}

const PAIR_COUNTS_STEP = 'pair counts (levels, term frequency, household, rules)';

/** The statements that add one block's pair counts to `pair_counts` (the first block creates it; trainingCountsOfPairCountsSql sums them). */
export function pairCountsBlockSql(plan: LinkagePlan, d: Dialect, options: Omit<TrainingCountsOptions, 'sessions'>, block: PairBlock, first: boolean): SqlStatement[] {
  return blockStatements(d, 'pair_counts', pairCountsSql(plan, d, options, block), PAIR_COUNTS_STEP, block, first);
}

/**
 * `training_counts` from `pair_counts`, which is then dropped: rows with
 * `session` -1 the candidate pairs by levels, frequency and household flag,
 * rows with `session` k the pairs blocking rule k makes by their levels.
 */
export function trainingCountsOfPairCountsSql(plan: LinkagePlan, d: Dialect, sessions: readonly number[]): SqlStatement[] {
  const q = d.quote;
  const { gammas, tfComparisons, names } = countedColumns(plan, d);
  const total = `CAST(sum(v.${q('pairs')}) AS BIGINT) AS ${q('pairs')}`;
  const candidates = `SELECT -1 AS ${q('session')}, ${names.map((n) => `v.${n}`).join(', ')}, ${total}\nFROM pair_counts v\nGROUP BY ${names.map((n) => `v.${n}`).join(', ')}`;
  const nullTf = tfComparisons.map((c) => `CAST(NULL AS DOUBLE) AS ${q(`tf_${c.name}`)}`);
  const bySession = sessions.map(
    (rule) =>
      `SELECT ${rule} AS ${q('session')}, ${[...gammas.map((g) => `v.${g}`), ...nullTf].join(', ')}, 0 AS ${q('household')}, ${total}\n` +
      `FROM pair_counts v\nWHERE ${madeByRule(rule, d, 'v')}\nGROUP BY ${gammas.map((g) => `v.${g}`).join(', ')}`,
  );
  const step = 'training counts (EM reads them back)';
  return [...d.createTable('training_counts', [candidates, ...bySession].join('\nUNION ALL\n')), d.dropTable('pair_counts')].map((sql) => ({ step, sql }));
}

/**
 * The statements that make `training_counts`, what training reads back in one
 * table (from a cluster's export, or from embedded DuckDB): rows with
 * `session` -1 count the candidate pairs by their comparison levels, the
 * frequency their term-frequency adjustment reads (`tf_<comparison>`, at
 * tf-adjusted levels only, else NULL) and `household` (0: not sharing an
 * address, 1: sharing it, 2: sharing it with a different given name and birth
 * date); rows with `session` k count the pairs blocking rule k makes by their
 * levels (an EM session). `pairs` is the count. The pairs are counted in the
 * comparison join (`pair_counts`), no comparison vectors kept. From these our
 * process runs EM, fits the household group and the consistent prior,
 * without reading the pairs themselves.
 */
export function trainingCountsSql(plan: LinkagePlan, d: Dialect, options: TrainingCountsOptions): SqlStatement[] {
  return [
    ...d.createTable('pair_counts', pairCountsSql(plan, d, options)).map((sql) => ({ step: PAIR_COUNTS_STEP, sql })),
    ...trainingCountsOfPairCountsSql(plan, d, options.sessions),
  ];
}

/** The job of a model still to train: blocking, then the training counts (counted in the comparison join) to export. */
export function trainingJobScript(job: SqlJob, counts: readonly SqlStatement[]): string {
  return [...job.pairs, ...counts].map((s) => `-- ${s.step}\n${s.sql};`).join('\n\n');
}
