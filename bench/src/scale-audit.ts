/**
 * Where precision goes in a large population:
 * `node bench/dist/scale-audit.js <data set directory> [threshold]` (a directory with settings.json,
 * truth.csv and one CSV per source, as `fixtures generate` writes it). Runs link() and prints, per
 * million records so that populations of different sizes compare:
 * (1) the false pairs of the identity groups (different people in one group) by how they got there:
 * scored at or above the threshold (scoring), scored below it or never compared but joined through
 * other links (clustering); and by the size of the group;
 * (2) the false links (different people scored at or above the threshold) that stayed in one group,
 * by agreement pattern: names, birth date, national id as exact (E), another agreeing level (F),
 * disagreeing (D) or missing (-); household evidence (a street address or phone exact: H, a postcode
 * only: P); with their mean match weight and the share that scoring's interaction terms touched.
 * Counts and level labels only: no record value is printed.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { link, validateSettings } from '@mpi/core';
import { compileVectorizer } from '@mpi/scoring';
import { truthByRow } from './truth.js';

const [dir, thresholdArg] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: scale-audit <generated data set directory> [threshold]');
const settings = validateSettings(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')));
const threshold = Number(thresholdArg ?? settings.threshold ?? 0.5);
const names = readdirSync(dir).filter((f) => f.endsWith('.csv') && f !== 'truth.csv' && !f.startsWith('groups')).map((f) => f.slice(0, -4)).sort();
const started = Date.now();
const result = await link({ settings: { ...settings, threshold }, sources: names.map((name) => ({ name, path: join(dir, `${name}.csv`) })), threads: 2 });
console.log(`link ${((Date.now() - started) / 1000).toFixed(1)} s`);
const person = await truthByRow(result.table, { kind: 'csv', path: join(dir, 'truth.csv') });
const { table, model, clustering } = result;
const size = table.size;
const perMillion = (n: number) => ((n * 1e6) / size).toFixed(1);
const minWeight = Math.log2(threshold / (1 - threshold));

// (1) False pairs of the groups (different people in one group), then how they got there and by group size.
let predicted = 0;
const falseInGroup = new Map<number, number>();
const groupSize = new Map<number, number>();
for (let g = 0; g < clustering.groupCount; g++) {
  const rows = clustering.members.subarray(clustering.start[g], clustering.start[g + 1]);
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      predicted++;
      const [a, b] = [Math.min(rows[i], rows[j]), Math.max(rows[i], rows[j])];
      if (person[a] >= 0 && person[a] === person[b]) continue;
      falseInGroup.set(a * size + b, NaN);
      groupSize.set(a * size + b, rows.length);
    }
  }
}
let falseLinks = 0;
result.pairs.chunks.forEach(({ left, right }, chunk) => {
  const weights = result.weights[chunk];
  for (let k = 0; k < left.length; k++) {
    if (weights[k] >= minWeight && !(person[left[k]] >= 0 && person[left[k]] === person[right[k]])) falseLinks++;
    const key = Math.min(left[k], right[k]) * size + Math.max(left[k], right[k]);
    if (falseInGroup.has(key)) falseInGroup.set(key, weights[k]);
  }
});
const how = { scored: 0, scoredBelow: 0, notCompared: 0 };
const bySize = new Map<number, number>();
const inGroupFalseLinks: [number, number, number][] = [];
for (const [key, w] of falseInGroup) {
  const [a, b] = [Math.floor(key / size), key % size];
  if (Number.isNaN(w)) how.notCompared++;
  else if (w >= minWeight) {
    how.scored++;
    inGroupFalseLinks.push([a, b, w]);
  } else how.scoredBelow++;
  const n = groupSize.get(key)!;
  bySize.set(n, (bySize.get(n) ?? 0) + 1);
}
let truePairs = 0;
const people = new Map<number, number>();
for (let r = 0; r < size; r++) if (person[r] >= 0) people.set(person[r], (people.get(person[r]) ?? 0) + 1);
for (const n of people.values()) truePairs += (n * (n - 1)) / 2;
const falsePairs = how.scored + how.scoredBelow + how.notCompared;
console.log(`records ${size}, true pairs ${truePairs}, pairs in groups ${predicted}, false pairs in groups ${falsePairs} (${perMillion(falsePairs)} per million records), precision ${((predicted - falsePairs) / predicted).toFixed(4)}, recall ${((predicted - falsePairs) / truePairs).toFixed(4)}`);
console.log(`false links (different people scored >= threshold) ${falseLinks} (${perMillion(falseLinks)} per million records), of which kept in one group ${how.scored}`);
console.log('false pairs in groups by how they got there: count, per million records');
for (const [label, n] of Object.entries({ 'scored >= threshold (scoring)': how.scored, 'scored < threshold, joined by other links (clustering)': how.scoredBelow, 'never compared, joined by other links (clustering)': how.notCompared })) {
  console.log(`  ${label.padEnd(56)} ${String(n).padStart(8)}  ${perMillion(n).padStart(8)}`);
}
console.log('false pairs in groups by group size: size, count');
for (const [n, count] of [...bySize].sort((x, y) => x[0] - y[0])) console.log(`  ${String(n).padStart(3)}  ${String(count).padStart(8)}`);

// (2) The false links kept in a group, by agreement pattern.
const comparisons = model.comparisons;
const vectorizer = compileVectorizer(table, comparisons);
const levels = new Uint8Array(comparisons.length);
const indexOf = (name: string) => comparisons.findIndex((c) => c.column === name);
const code = (c: number) => {
  if (c < 0 || levels[c] === 0) return '-';
  const last = comparisons[c].levels.length - 1;
  return levels[c] === 1 ? 'E' : levels[c] === last ? 'D' : 'F';
};
const [given, family, birth, nationalId, street, phone, postcode] = ['given_name', 'family_name', 'birth_date', 'national_id', 'street_address', 'phone', 'postcode'].map(indexOf);
const exact = (c: number) => c >= 0 && levels[c] === 1;
function patternOf(a: number, b: number): string {
  vectorizer.vectorize(a, b, levels, 0);
  const household = exact(street) || exact(phone) ? 'H' : exact(postcode) ? 'P' : '.';
  return `given ${code(given)} family ${code(family)} birth ${code(birth)} id ${code(nationalId)} household ${household}`;
}
const classes = new Map<string, { count: number; weight: number }>();
for (const [a, b, w] of inGroupFalseLinks) {
  const key = patternOf(a, b);
  const row = classes.get(key) ?? { count: 0, weight: 0 };
  row.count++;
  row.weight += w;
  classes.set(key, row);
}
console.log(`\nfalse links kept in a group: ${inGroupFalseLinks.length} (${perMillion(inGroupFalseLinks.length)} per million records), by pattern: count, per million, mean match weight`);
for (const [key, { count, weight }] of [...classes].sort((x, y) => y[1].count - x[1].count).slice(0, 25)) {
  console.log(`  ${key}  ${String(count).padStart(6)}  ${perMillion(count).padStart(7)}  ${(weight / count).toFixed(2)}`);
}
console.log(`prior ${model.prior.toExponential(3)} (${Math.log2(model.prior / (1 - model.prior)).toFixed(2)} bits), true ${(truePairs / ((size * (size - 1)) / 2)).toExponential(3)}`);

// (3) Calibration of the commonest false-link patterns over every scored pair of the pattern: are the pairs
// the model links there matches as often as their match probability says?
const top = new Set([...classes].sort((x, y) => y[1].count - x[1].count).slice(0, 8).map(([key]) => key));
const bands = [0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1.0001];
const calibration = new Map<string, { pairs: number; matches: number; probability: number }[]>();
result.pairs.chunks.forEach(({ left, right }, chunk) => {
  const weights = result.weights[chunk];
  for (let k = 0; k < left.length; k++) {
    const p = 1 / (1 + 2 ** -weights[k]);
    if (p < 0.1) continue;
    const key = patternOf(left[k], right[k]);
    if (!top.has(key)) continue;
    const rows = calibration.get(key) ?? bands.slice(1).map(() => ({ pairs: 0, matches: 0, probability: 0 }));
    const row = rows[bands.findIndex((edge, i) => p >= edge && p < bands[i + 1])];
    row.pairs++;
    row.matches += person[left[k]] >= 0 && person[left[k]] === person[right[k]] ? 1 : 0;
    row.probability += p;
    calibration.set(key, rows);
  }
});
console.log('\ncalibration of the commonest false-link patterns (scored pairs >= 0.1): band, pairs, per million records, mean probability, share of true matches');
for (const key of top) {
  console.log(`  ${key}`);
  (calibration.get(key) ?? []).forEach((row, i) => {
    if (row.pairs > 0) console.log(`    [${bands[i].toFixed(2)}, ${Math.min(1, bands[i + 1]).toFixed(2)})  ${String(row.pairs).padStart(7)}  ${perMillion(row.pairs).padStart(8)}  ${(row.probability / row.pairs).toFixed(3)}  ${(row.matches / row.pairs).toFixed(3)}`);
  });
}
