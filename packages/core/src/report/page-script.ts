// The script the report page runs: draws the charts from the report's JSON with
// the bundled Chart.js. It is inlined as source text (drawReport.toString()),
// so it must use nothing but its parameters; the page has no DOM types here,
// hence the loose types.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { ReportData, ThresholdCurve } from './report-data.js';

/** Draws every chart of the report; sets data-rendered on <body> when done. */
export function drawReport(Chart: any, data: ReportData, doc: any): void {
  const LINK = '#1f6f43';
  const NON_LINK = '#9aa5b1';
  const ESTIMATED = '#2b6cb0';
  const MEASURED = '#c05621';
  const common = { animation: false, responsive: true, maintainAspectRatio: false };
  const canvas = (id: string) => doc.getElementById(id);

  const { edges, counts } = data.histogram;
  new Chart(canvas('weight-histogram'), {
    type: 'bar',
    data: {
      labels: counts.map((_: number, i: number) => `${edges[i]} to ${edges[i + 1]}`),
      datasets: [
        {
          label: 'candidate pairs',
          data: counts,
          backgroundColor: counts.map((_: number, i: number) => (edges[i] >= data.thresholdWeight ? LINK : NON_LINK)),
          barPercentage: 1,
          categoryPercentage: 1,
        },
      ],
    },
    options: {
      ...common,
      plugins: { legend: { display: false } },
      scales: {
        x: { title: { display: true, text: 'match weight (bits); green: at or above the threshold' } },
        y: {
          type: 'logarithmic',
          min: 0.5,
          title: { display: true, text: 'pairs (log scale)' },
          // Powers of ten only: a log axis labels 2, 5, 20, 50... and 0.1, which read as noise.
          ticks: { callback: (value: number) => (Number.isInteger(Math.log10(value)) ? value.toLocaleString('en-US') : '') },
        },
      },
    },
  });

  const points = (curve: ThresholdCurve, values: readonly (number | null)[]) =>
    curve.weights.map((w: number, i: number) => ({ x: w, y: values[i] })).filter((p: { y: number | null }) => p.y !== null);
  const line = (label: string, color: string, dashed: boolean, values: { x: number; y: number | null }[]) => ({
    label,
    data: values,
    borderColor: color,
    backgroundColor: color,
    borderDash: dashed ? [6, 4] : [],
    pointRadius: 0,
    borderWidth: 2,
  });
  const est = data.estimated.curve;
  const datasets = [line('estimated precision', ESTIMATED, false, points(est, est.precision)), line('estimated recall', ESTIMATED, true, points(est, est.recall))];
  if (data.measured !== null) {
    const measured = data.measured.curve;
    // Wider, and drawn under the estimates (Chart.js draws the first dataset on top): where they agree, both show.
    datasets.push({ ...line('measured precision', MEASURED, false, points(measured, measured.precision)), borderWidth: 5 });
    datasets.push({ ...line('measured recall', MEASURED, true, points(measured, measured.recall)), borderWidth: 5 });
  }
  datasets.push({ ...line('link threshold', '#000000', false, [{ x: data.thresholdWeight, y: 0 }, { x: data.thresholdWeight, y: 1 }]), borderWidth: 1 });
  new Chart(canvas('threshold-curve'), {
    type: 'line',
    data: { datasets },
    options: {
      ...common,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'threshold (match weight, bits): pairs at or above it are links' } },
        y: { min: 0, max: 1, title: { display: true, text: 'precision / recall' } },
      },
    },
  });

  if (data.levels !== null) {
    const levels = data.levels;
    new Chart(canvas('level-weights'), {
      type: 'bar',
      data: {
        labels: levels.map((row) => `${row.comparison}: ${row.label}`),
        datasets: [
          {
            label: 'match weight log2(m/u)',
            data: levels.map((row) => row.matchWeight),
            backgroundColor: levels.map((row) => (row.matchWeight >= 0 ? LINK : '#b83232')),
          },
        ],
      },
      options: {
        ...common,
        indexAxis: 'y',
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: 'match weight (bits)' } } },
      },
    });
  }
  doc.body.dataset.rendered = 'true';
}
