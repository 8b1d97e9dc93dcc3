// The HTML report opened in a real browser (Debian's headless Chromium): the
// page draws its charts with no console error, no page error and no request but
// the file itself. Skipped only off CI when no Chromium is installed; in CI
// (CI=true) a missing browser fails, as .ci/run installs it.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportHtml, link } from '../src/index.js';
import { buildPairsReportHtml, buildReportHtmlInDuckDb, linkInDuckDb } from '../src/advanced.js';
import { febrl4Truth, febrlDir, febrlSettings, tempDir } from './helpers.js';
import { linkPopulation, settings } from './report-fixture.js';

const executable = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const inCi = process.env.CI === 'true';
const haveBrowser = existsSync(executable);


interface PageCheck {
  readonly errors: string[];
  readonly requests: string[];
  readonly charts: { id: string; width: number; height: number }[];
  readonly sections: string[];
}

describe.skipIf(!haveBrowser && !inCi)('the HTML report in headless Chromium', () => {
  let browser: Browser;
  const dir = tempDir('mpi-report-browser-');

  beforeAll(async () => {
    if (!haveBrowser) throw new Error(`CI=true and no Chromium at ${executable}: .ci/run installs the Debian package chromium`);
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the page from its file URL, lets nothing else load, and reads what it drew. */
  async function open(html: string, name: string, example?: string): Promise<PageCheck & { screenshot: string }> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    // Any request but the page itself is refused, so a regression cannot reach a network either.
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 15_000 });
    const charts = await page.$$eval('canvas', (canvases) =>
      canvases.map((canvas) => ({ id: canvas.id, width: canvas.getBoundingClientRect().width, height: canvas.getBoundingClientRect().height })),
    );
    const sections = await page.$$eval('section', (elements) => elements.map((section) => section.id));
    const screenshot = join(dir, `${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    // The documentation's picture: the top of the page (summary, histogram, threshold curve).
    if (example) await page.screenshot({ path: example, fullPage: true, clip: { x: 0, y: 0, width: 1100, height: 1400 } });
    await page.close();
    return { errors, requests: requests.filter((request) => request !== url), charts, sections, screenshot };
  }

  function expectDrawn(check: PageCheck, charts: readonly string[]): void {
    expect(check.errors).toEqual([]);
    expect(check.requests).toEqual([]);
    expect(check.charts.map((chart) => chart.id)).toEqual(charts);
    for (const chart of check.charts) {
      expect(chart.width, chart.id).toBeGreaterThan(100);
      expect(chart.height, chart.id).toBeGreaterThan(100);
    }
  }

  it('draws every chart of a link report with the measured curve, loading nothing', async () => {
    const result = await link({ settings: febrlSettings('link'), sources: [{ name: 'a', path: join(febrlDir, 'dataset4a.csv') }, { name: 'b', path: join(febrlDir, 'dataset4b.csv') }], threads: 1 });
    const html = buildReportHtml(result, { truth: febrl4Truth(), title: 'FEBRL 4: dataset4a linked to dataset4b' });
    // MPI_REPORT_EXAMPLE=$PWD/docs/report-example.png writes the documentation's picture.
    const check = await open(html, 'febrl4', process.env.MPI_REPORT_EXAMPLE);
    expectDrawn(check, ['weight-histogram', 'threshold-curve', 'level-weights']);
    expect(check.sections).toEqual(['histogram', 'threshold', 'model', 'blocking']);
    expect(statSync(check.screenshot).size).toBeGreaterThan(10_000);
  }, 60_000);

  it('draws the report of a link in DuckDB with the measured curve and record values', async () => {
    const input = { settings: febrlSettings('link'), sources: [{ name: 'a', path: join(febrlDir, 'dataset4a.csv') }, { name: 'b', path: join(febrlDir, 'dataset4b.csv') }], threads: 1 };
    const result = await link(input);
    let html = '';
    await linkInDuckDb({ ...input, model: result.model, keepValues: true, outputs: async (records) => void (html = await buildReportHtmlInDuckDb(records, { truth: febrl4Truth(), showValues: true })) });
    const check = await open(html, 'febrl4-duckdb');
    expectDrawn(check, ['weight-histogram', 'threshold-curve', 'level-weights']);
    expect(check.sections).toEqual(['histogram', 'threshold', 'model', 'blocking', 'samples']);
  }, 120_000);

  it('draws a report with record values, and one of pairs without model or blocking', async () => {
    const { result, truth } = await linkPopulation();
    const withValues = await open(buildReportHtml(result, { showValues: true }), 'values');
    expectDrawn(withValues, ['weight-histogram', 'threshold-curve', 'level-weights']);
    expect(withValues.sections).toEqual(['histogram', 'threshold', 'model', 'blocking', 'samples']);
    const pairsOnly = await open(buildPairsReportHtml({ weights: result.weights, threshold: 0.5, truth: { pairs: result.weights.map((w) => new Int8Array(w.length).fill(-1)), truePairs: truth.length / 2 } }), 'pairs');
    expectDrawn(pairsOnly, ['weight-histogram', 'threshold-curve']);
  }, 60_000);

  it('draws the report of a run with no candidate pair', async () => {
    const strangers = [
      { id: '1', first: 'Ann', last: 'Smith', dob: '1980-01-01', zip: '02139' },
      { id: '2', first: 'Bob', last: 'Okafor', dob: '1971-06-12', zip: '94110' },
    ];
    const result = await link({ settings: { ...settings, threshold: 1 }, sources: [{ name: 'ehr', records: strangers }], threads: 1 });
    expect(result.pairs.count).toBe(0);
    expectDrawn(await open(buildReportHtml(result, { showValues: true }), 'empty'), ['weight-histogram', 'threshold-curve', 'level-weights']);
  }, 60_000);
});
