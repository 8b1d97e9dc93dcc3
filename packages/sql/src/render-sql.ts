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
  /** Blocking keys, candidate pairs and comparison vectors (they do not depend on the weights: training counts their patterns). */
  readonly compare: readonly SqlStatement[];
  /** Match weights, links and the first labels. */
  readonly score: readonly SqlStatement[];
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

/**
 * The blocking keys of every record as integers (NULL: no key): for a key rule
 * the id of its key among the distinct keys, for sorted neighbourhood its
 * position in (key, row) order. Integers keep the self-joins and the "no earlier
 * rule made this pair" tests cheap (comparing lists there cost ~20 s at 170k records).
 */
function blockingKeys(plan: LinkagePlan, d: Dialect): string {
  const q = d.quote;
  const select = [`r.${q('row')}`, `r.${q('source')}`];
  const joins: string[] = [];
  for (const rule of plan.blocking) {
    const name = q(`key_${rule.index}`);
    if (rule.kind === 'sortedNeighbourhood') {
      const parts = rule.parts.map((part) => `r.${q(part.keyColumn)}`);
      select.push(`CASE WHEN ${present(rule, d, 'r')} THEN row_number() OVER (PARTITION BY ${present(rule, d, 'r')} ORDER BY ${parts.join(', ')}, r.${q('row')}) END AS ${name}`);
      continue;
    }
    const ids = `k${rule.index}`;
    // The ids' values do not matter, only that equal keys share one.
    joins.push(
      `LEFT JOIN (SELECT key, row_number() OVER () AS id FROM (SELECT DISTINCT ${keyExpression(rule, d, 'x')} AS key FROM records x WHERE ${present(rule, d, 'x')}) distinct_keys) ${ids}\n` +
        // A record missing a part has a NULL key, or a list holding a NULL that no distinct key equals.
        `  ON ${ids}.key = ${keyExpression(rule, d, 'r')}`,
    );
    select.push(`${ids}.id AS ${name}`);
  }
  return `SELECT ${select.join(',\n  ')}\nFROM records r\n${joins.join('\n')}`;
}

/** Whether rule `rule` alone makes (l, r) a pair (NULL keys never do). */
function covers(rule: PlanBlockingRule, d: Dialect): string {
  const key = d.quote(`key_${rule.index}`);
  return rule.kind === 'sortedNeighbourhood' ? `abs(l.${key} - r.${key}) < ${rule.window}` : `l.${key} = r.${key}`;
}

function rulePairs(plan: LinkagePlan, rule: PlanBlockingRule, d: Dialect): string {
  const row = d.quote('row');
  const key = d.quote(`key_${rule.index}`);
  const earlier = plan.blocking.slice(0, rule.index).map((before) => `NOT coalesce(${covers(before, d)}, FALSE)`);
  const where = [...(plan.mode === 'link' ? [`l.${d.quote('source')} <> r.${d.quote('source')}`] : []), ...earlier];
  const whereSql = where.length > 0 ? `\nWHERE ${where.join('\n  AND ')}` : '';
  if (rule.kind === 'sortedNeighbourhood') {
    return (
      `SELECT least(l.${row}, r.${row}) AS left_row, greatest(l.${row}, r.${row}) AS right_row, ${rule.index} AS rule\n` +
      `FROM blocking_keys l JOIN blocking_keys r ON r.${key} > l.${key} AND r.${key} < l.${key} + ${rule.window}` +
      whereSql
    );
  }
  return `SELECT l.${row} AS left_row, r.${row} AS right_row, ${rule.index} AS rule\nFROM blocking_keys l JOIN blocking_keys r ON l.${key} = r.${key} AND l.${row} < r.${row}` + whereSql;
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

/** The statements of the whole job in one dialect. */
export function renderJob(plan: LinkagePlan, d: Dialect): SqlJob {
  const q = d.quote;
  const row = q('row');
  const setup: SqlStatement[] = [];
  const create = (step: string, name: string, query: string) => {
    for (const sql of d.createTable(name, query)) setup.push({ step, sql });
  };

  create('blocking keys', 'blocking_keys', blockingKeys(plan, d));
  create('candidate pairs (each pair once: the first rule that makes it)', 'candidate_pairs', plan.blocking.map((rule) => rulePairs(plan, rule, d)).join('\nUNION ALL\n'));

  const tfColumns = plan.comparisons.flatMap((c) => (c.tfColumns === undefined ? [] : [`${pairFrequency(c, d)} AS ${q(`tf_${c.name}`)}`]));
  create(
    'comparison vectors',
    'comparison_vectors',
    `SELECT p.left_row, p.right_row, p.rule,\n${indent([...plan.comparisons.map((c) => gamma(c, d)), ...tfColumns])}\n` +
      `FROM candidate_pairs p\nJOIN records l ON l.${row} = p.left_row\nJOIN records r ON r.${row} = p.right_row`,
  );

  const compare = setup.length;
  const { weight } = matchWeight(plan, d);
  const gammas = plan.comparisons.map((c) => q(`gamma_${c.name}`));
  const veto = plan.veto === undefined ? '' : `,\n  (${roleCount(plan, 'disagrees', d)}) >= ${plan.veto.disagreements} AND (${roleCount(plan, 'agrees', d)}) = 0 AS veto`;
  create(
    'match weights (prior + level weights + term-frequency adjustments; evidence groups; demographic veto)',
    'scored_pairs',
    `SELECT left_row, right_row, rule, ${gammas.join(', ')},\n  ${weight} AS match_weight\n` +
      `FROM (\n  SELECT *,\n${indent(plan.comparisons.map((c) => term(plan, c, d)), '    ')}${veto}\n  FROM comparison_vectors\n) terms`,
  );

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
  return { setup, compare: setup.slice(0, compare), score: setup.slice(compare), propagate, changed, finish };
}

/**
 * Counts of the distinct comparison vectors (patterns) of the candidate pairs,
 * or of the pairs that blocking rule `rule` alone makes (an EM session), in
 * ascending lexicographic order of the levels, as countSessionPatterns orders them.
 */
export function patternCountsSql(plan: LinkagePlan, d: Dialect, rule?: number): string {
  const gammas = plan.comparisons.map((c) => `v.${d.quote(`gamma_${c.name}`)}`).join(', ');
  const row = d.quote('row');
  const covered =
    rule === undefined
      ? ''
      : `\nJOIN blocking_keys l ON l.${row} = v.left_row\nJOIN blocking_keys r ON r.${row} = v.right_row\nWHERE ${covers(plan.blocking[rule], d)}`;
  return `SELECT ${gammas}, count(*) AS pairs\nFROM comparison_vectors v${covered}\nGROUP BY ${gammas}\nORDER BY ${gammas}`;
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
