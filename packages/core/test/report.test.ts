// The HTML report's figures and its promise to hold no record value unless asked.
// The page in a real browser: report-browser.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchProbability } from '@mpi/scoring';
import { buildReportHtml } from '../src/index.js';
import { linkReportData } from '../src/advanced.js';
import { weightCurves, measuredCurve } from '../src/report/weight-curves.js';
import { cliPath, runProcess, tempDir, writeIn } from './helpers.js';
import { inputValues, linkPopulation, population, settings, valuesIn } from './report-fixture.js';

async function mpi(args: string[]) {
  const run = await runProcess(process.execPath, [cliPath, ...args]);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The report's JSON, as the page reads it. */
function pageData(html: string) {
  const match = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  if (!match) throw new Error('no report data in the page');
  return JSON.parse(match[1]);
}

describe('the estimated precision/recall of the scored pairs', () => {
  const weights = [Float64Array.from([-12.5, -8, -3.2, -0.4, 0.3, 2, 6.7]), Float64Array.from([9.9, -20, 14, 1])];
  const all = weights.flatMap((chunk) => Array.from(chunk));
  const p = all.map(matchProbability);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

  it('counts every pair once in the histogram, in the bin of its weight', () => {
    const { histogram } = weightCurves(weights, 0.5);
    expect(sum(histogram.counts)).toBe(all.length);
    for (let b = 0; b < histogram.counts.length; b++) {
      const inBin = all.filter((w) => w >= histogram.edges[b] && w < histogram.edges[b + 1]).length;
      expect(histogram.counts[b]).toBe(inBin);
    }
  });

  it('estimates precision as the mean match probability of the links and recall as their share of the summed probability', () => {
    for (const threshold of [0.1, 0.5, 0.9]) {
      const links = p.filter((x) => x >= threshold);
      const { estimated } = weightCurves(weights, threshold);
      expect(estimated.atThreshold.links).toBe(links.length);
      expect(estimated.atThreshold.precision).toBeCloseTo(sum(links) / links.length, 12);
      expect(estimated.atThreshold.recall).toBeCloseTo(sum(links) / sum(p), 12);
    }
  });

  it('gives the same figures along the curve at each bin edge', () => {
    const { estimated } = weightCurves(weights, 0.5);
    estimated.curve.weights.forEach((edge, i) => {
      const links = p.filter((_, k) => all[k] >= edge);
      expect(estimated.curve.precision[i]).toBeCloseTo(sum(links) / links.length, 12);
      expect(estimated.curve.recall[i]).toBeCloseTo(sum(links) / sum(p), 12);
    });
  });

  it('measures precision over the pairs the truth knows and recall over every true pair', () => {
    const truth = [Int8Array.from([0, 0, 1, -1, 0, 1, 1]), Int8Array.from([1, 0, 1, -1])];
    const known = truth.flatMap((chunk) => Array.from(chunk));
    const truePairs = 7; // five true candidate pairs and two that blocking missed
    const curves = weightCurves(weights, 0.5, truth);
    const { atThreshold } = measuredCurve(curves, truePairs);
    const links = all.map((w, k) => ({ link: matchProbability(w) >= 0.5, truth: known[k] })).filter((x) => x.link && x.truth >= 0);
    const hits = links.filter((x) => x.truth === 1).length;
    expect(atThreshold.precision).toBeCloseTo(hits / links.length, 12);
    expect(atThreshold.recall).toBeCloseTo(hits / truePairs, 12);
    expect(curves.truth!.trueCandidatePairs).toBe(known.filter((x) => x === 1).length);
  });
});

describe('buildReportHtml', () => {
  it('holds no value of the input: no name, date, postcode or record id', async () => {
    const { result, records, truth } = await linkPopulation();
    expect(result.pairs.count).toBeGreaterThan(0);
    const html = buildReportHtml(result, { truth });
    const values = inputValues(records);
    expect(values.length).toBeGreaterThan(200);
    expect(valuesIn(html, values)).toEqual([]);
  });

  it('shows record values of pairs near the threshold only with showValues', async () => {
    const { result, records } = await linkPopulation();
    const html = buildReportHtml(result, { showValues: true });
    expect(valuesIn(html, inputValues(records)).length).toBeGreaterThan(0);
    expect(html).toContain('protected health information');
    const data = pageData(buildReportHtml(result, { showValues: true }));
    expect(data.samples.length).toBeGreaterThan(0);
    // Links with the lowest weights first, then the non-links with the highest.
    const side = data.samples.map((pair: { matchProbability: number }) => pair.matchProbability >= result.threshold);
    expect(side).toEqual([...side].sort((a, b) => Number(b) - Number(a)));
  });

  it('carries the model, the EM sessions, the blocking rules and, with a truth, the measured curve', async () => {
    const { result, truth } = await linkPopulation();
    const data = linkReportData(result, { truth });
    expect(data.levels!.length).toBe(result.model.m.reduce((n, levels) => n + levels.length - 1, 0));
    expect(data.training!.sessions.map((s) => s.name)).toEqual(result.model.training.sessions.map((s) => s.name));
    expect(data.blocking!.rules).toEqual(result.blocking.rules);
    expect(data.candidatePairs).toBe(result.pairs.count);
    // Every person has two records, in one source, dedupe: one true pair each.
    expect(data.measured!.truePairs).toBe(truth.length / 2);
    expect(data.measured!.pairCompleteness).toBe(data.measured!.trueCandidatePairs / data.measured!.truePairs);
    expect(linkReportData(result).measured).toBeNull();
  });

  it('escapes text it prints and cannot be closed by a name in the data', async () => {
    const { records } = population();
    const { link } = await import('../src/index.js');
    const result = await link({ settings: { ...settings, fields: { ...settings.fields } }, sources: [{ name: '</script><b>x', records }], threads: 1 });
    const html = buildReportHtml(result, { showValues: true });
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;x');
    expect(html).not.toContain('</script><b>x');
    expect(pageData(html).samples[0].left.source).toBe('</script><b>x');
  });
});

describe('mpi link --report-html and mpi evaluate --report-html', () => {
  function files() {
    const dir = tempDir('mpi-report-');
    const { records, truth } = population();
    const header = 'id,first,last,dob,zip';
    const source = writeIn(dir, 'ehr.csv', [header, ...records.map((r) => [r.id, r.first, r.last, r.dob, r.zip].join(','))].join('\n') + '\n');
    const truthFile = writeIn(dir, 'truth.csv', ['source,record_id,person_id', ...truth.map((t) => `${t.source},${t.recordId},${t.group}`)].join('\n') + '\n');
    return { dir, source, truthFile, settingsFile: writeIn(dir, 'settings.json', JSON.stringify(settings)), records };
  }

  it('writes the report beside the other outputs, with no input value in it', async () => {
    const { dir, source, settingsFile, records } = files();
    const report = join(dir, 'report.html');
    const run = await mpi(['link', '--settings', settingsFile, '--source', `ehr=${source}`, '--out', join(dir, 'g.csv'), '--report-html', report, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<canvas id="weight-histogram">');
    expect(valuesIn(html, inputValues(records))).toEqual([]);
  });

  it('refuses --show-values without --report-html, and a report over another output, before linking', async () => {
    const { dir, source, settingsFile } = files();
    const out = join(dir, 'g.csv');
    const alone = await mpi(['link', '--settings', settingsFile, '--source', `ehr=${source}`, '--out', out, '--show-values', '--quiet']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--show-values needs --report-html');
    const same = await mpi(['link', '--settings', settingsFile, '--source', `ehr=${source}`, '--out', out, '--report-html', out, '--quiet']);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('--report-html');
    expect(existsSync(out)).toBe(false);
  });

  it('puts the measured curve beside the estimated one from the pairs file and the truth', async () => {
    const { dir, source, settingsFile, truthFile } = files();
    const groups = join(dir, 'g.csv');
    const pairs = join(dir, 'pairs.csv');
    const model = join(dir, 'model.json');
    const linked = await mpi(['link', '--settings', settingsFile, '--source', `ehr=${source}`, '--out', groups, '--pairs', pairs, '--all-pairs', '--model-out', model, '--quiet']);
    expect(linked.code).toBe(0);
    const report = join(dir, 'evaluated.html');
    const run = await mpi(['evaluate', '--groups', groups, '--truth', truthFile, '--pairs', pairs, '--model', model, '--report-html', report]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const data = pageData(readFileSync(report, 'utf8'));
    expect(data.measured.truePairs).toBe(60);
    expect(data.levels.length).toBeGreaterThan(0);
    expect(data.notes).toEqual([]);
    expect(data.candidatePairs).toBe(readFileSync(pairs, 'utf8').trim().split('\n').length - 1);
  });

  it('says when the pairs file holds only links, and needs --pairs for a report', async () => {
    const { dir, source, settingsFile, truthFile } = files();
    const groups = join(dir, 'g.csv');
    const pairs = join(dir, 'links.csv');
    expect((await mpi(['link', '--settings', settingsFile, '--source', `ehr=${source}`, '--out', groups, '--pairs', pairs, '--quiet'])).code).toBe(0);
    const report = join(dir, 'r.html');
    expect((await mpi(['evaluate', '--groups', groups, '--truth', truthFile, '--pairs', pairs, '--report-html', report])).code).toBe(0);
    expect(pageData(readFileSync(report, 'utf8')).notes[0]).toMatch(/--all-pairs/);
    const without = await mpi(['evaluate', '--groups', groups, '--truth', truthFile, '--report-html', join(dir, 'none.html')]);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('--report-html needs --pairs');
  });
});
