// ReportData as one self-contained HTML page: styles, data, Chart.js and the
// drawing script all inline, so the file opens from a disk, a mail attachment or
// an air-gapped share with no network at all.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AtThreshold, ReportData } from './report-data.js';
import { drawReport } from './page-script.js';
import { REPORT_STYLE } from './report-style.js';

let chartSource: string | undefined;

/** Chart.js's UMD build, read once from the installed package (its source-map comment dropped: nothing is fetched). */
function chartJs(): string {
  if (chartSource === undefined) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    const text = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
    chartSource = text.replace(/\/\/# sourceMappingURL=\S*\s*$/, '');
  }
  return chartSource;
}

// Five replacements, not a dependency: every text this page prints goes through here.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** JSON that is safe inside a <script> element: no "<" can close it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const count = (n: number | null) => (n === null ? 'n/a' : n.toLocaleString('en-US'));
const share = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
const probability = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toFixed(4));

function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[] = []): string {
  const cell = (tag: string, text: string, i: number) => `<${tag}${numeric[i] ? ' class="num"' : ''}>${escape(text)}</${tag}>`;
  return (
    `<table><thead><tr>${header.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>` +
    rows.map((row) => `<tr>${row.map((text, i) => cell('td', text, i)).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

function atThresholdRow(name: string, at: AtThreshold): string[] {
  return [name, count(at.links), share(at.precision), share(at.recall)];
}

function summary(data: ReportData): string {
  const items = [
    ['created', data.created],
    ['link threshold', `match probability ${data.threshold} (match weight ${data.thresholdWeight.toFixed(2)})`],
    ['records', count(data.records)],
    ['identity groups', count(data.groups)],
    ['candidate pairs', count(data.candidatePairs)],
  ];
  const phi =
    data.samples === null
      ? 'This report holds no record values: only counts, model parameters and rule names.'
      : 'This report holds record values (--show-values): treat it as protected health information.';
  const notes = data.notes.map((note) => `<p class="warn">${escape(note)}</p>`).join('');
  return `${notes}<dl>${items.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('')}</dl><p class="phi">${escape(phi)}</p>`;
}

function thresholdSection(data: ReportData): string {
  const rows = [atThresholdRow('estimated by the model', data.estimated.atThreshold)];
  if (data.measured !== null) rows.push(atThresholdRow('measured against the truth', data.measured.atThreshold));
  return (
    '<section id="threshold"><h2>Precision and recall by threshold</h2>' +
    '<p>Estimated figures are the model\u2019s own estimates, not measurements: a pair of match probability p is counted as p of a true match, ' +
    'so the links above a threshold hold the sum of their p in expected true matches. Estimated precision is that sum over the links; ' +
    'estimated recall is that sum over the sum of p of every candidate pair (pairs blocking never produced are not in it).' +
    (data.measured !== null ? ' Measured figures count the pairs of records the truth file has; measured recall is over every true pair, found by blocking or not.' : '') +
    '</p><div class="chart"><canvas id="threshold-curve"></canvas></div>' +
    table(['at the link threshold', 'links', 'precision', 'recall'], rows, [false, true, true, true]) +
    (data.measured === null
      ? ''
      : table(
          ['true pairs', 'true pairs among candidates', 'pair completeness (measured)'],
          [[count(data.measured.truePairs), count(data.measured.trueCandidatePairs), share(data.measured.pairCompleteness)]],
          [true, true, true],
        )) +
    '</section>'
  );
}

function modelSection(data: ReportData): string {
  if (data.levels === null) return '<section id="model"><h2>Model</h2><p>No model was given to this report (pass --model).</p></section>';
  const levels = table(
    ['comparison', 'level', 'label', 'm', 'u', 'match weight (bits)'],
    data.levels.map((row) => [row.comparison, String(row.level), row.label, probability(row.m), probability(row.u), row.matchWeight.toFixed(2)]),
    [false, true, false, true, true, true],
  );
  const t = data.training;
  const training =
    t === null
      ? ''
      : `<h3>Training</h3><p>Prior (two random records match): ${escape(probability(t.prior))} (match weight ${escape(t.priorWeight.toFixed(2))}); ` +
        `share of matches among candidate pairs: ${escape(probability(t.candidateLambda))}` +
        (t.uSampleSize === null ? '' : `; u estimated on ${escape(count(t.uSampleSize))} random pairs`) +
        '.</p>' +
        (t.sessions.length === 0
          ? '<p>No EM training sessions (a model given to the run, or m fixed by settings).</p>'
          : table(
              ['EM session', 'blocking on', 'iterations', 'converged', 'lambda'],
              t.sessions.map((s) => [s.name, s.columns.join(', ') || 'nothing', String(s.iterations), s.converged ? 'yes' : 'NO', probability(s.lambda)]),
              [false, false, true, false, true],
            )) +
        (t.fixedM.length ? `<p>m fixed by settings: ${escape(t.fixedM.join(', '))}</p>` : '') +
        (t.notEstimated.length ? `<p class="warn">m not estimated (starting values kept): ${escape(t.notEstimated.join(', '))}</p>` : '');
  const height = 60 + 22 * data.levels.length;
  return (
    '<section id="model"><h2>m, u and match weight per comparison level</h2>' +
    '<p>m: the share of true matches at this level; u: the share of non-matches; the match weight log2(m/u) is the Bayes factor in bits that the level adds to a pair.</p>' +
    `<div class="chart" style="height:${height}px"><canvas id="level-weights"></canvas></div>${levels}${training}</section>`
  );
}

function blockingSection(data: ReportData): string {
  const b = data.blocking;
  if (b === null) return '<section id="blocking"><h2>Blocking</h2><p>Not in this report: the blocking figures come with a link run (mpi link --report-html).</p></section>';
  const rules = table(
    ['blocking rule', 'new pairs', 'share of candidates'],
    b.rules.map((rule) => [rule.name, count(rule.pairs), share(b.candidatePairs === 0 ? null : rule.pairs / b.candidatePairs)]),
    [false, true, true],
  );
  const completeness =
    data.measured === null
      ? '<p>Pair completeness (the share of true pairs among the candidates) needs a truth file: see mpi evaluate --report-html.</p>'
      : `<p>Measured pair completeness: ${escape(share(data.measured.pairCompleteness))}.</p>`;
  return (
    '<section id="blocking"><h2>Blocking rules</h2><p>Each rule\u2019s pairs are those no earlier rule produced.</p>' +
    rules +
    `<p>${escape(count(b.candidatePairs))} candidate pairs of ${escape(count(b.totalPairs))} in the comparison space (reduction ratio ${escape(share(b.reductionRatio))}).</p>${completeness}</section>`
  );
}

function samplesSection(data: ReportData): string {
  if (data.samples === null) return '';
  const blocks = data.samples.map((pair) => {
    const head = `match weight ${pair.matchWeight.toFixed(2)}, probability ${probability(pair.matchProbability)}: ${pair.left.source} ${pair.left.recordId} / ${pair.right.source} ${pair.right.recordId}`;
    return `<h3>${escape(head)}</h3>${table(['field', 'left', 'right'], pair.fields.map((f) => [f.field, f.left, f.right]))}`;
  });
  return (
    '<section id="samples"><h2>Pairs near the threshold (record values)</h2>' +
    '<p class="phi">Normalized record values, shown because the report was asked for them (--show-values).</p>' +
    (blocks.length === 0 ? '<p>No candidate pairs.</p>' : blocks.join('')) +
    '</section>'
  );
}

/** The report page. */
export function renderReportHtml(data: ReportData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escape(data.title)}</title><style>${REPORT_STYLE}</style></head>
<body><main><h1>${escape(data.title)}</h1>${summary(data)}
<section id="histogram"><h2>Match weights of the candidate pairs</h2><p>How many candidate pairs scored each match weight (log2 of the Bayes factor, prior included). Pairs at or above the link threshold are links. A good model shows two humps, non-matches on the left and matches on the right, with few pairs between.</p><div class="chart"><canvas id="weight-histogram"></canvas></div></section>
${thresholdSection(data)}${modelSection(data)}${blockingSection(data)}${samplesSection(data)}</main>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${chartJs()}</script>
<script>(${drawReport.toString()})(Chart, JSON.parse(document.getElementById('report-data').textContent), document);</script>
</body></html>
`;
}
