/**
 * Calibration of one generated data set against its truth:
 * `node bench/dist/calibration-audit.js bench/out/regimes/<regime>-<people>-<seed> [threshold]`.
 * Runs link() with the data set's settings and prints (1) the prior and the
 * learnt m and u of every level beside m and u measured with the truth (m over
 * every true pair; u over random different-person pairs, and for an exact level
 * over every different-person pair), (2) the candidate pairs by match
 * probability: how many are true matches, (3) the true pairs blocking missed and
 * the wrong pairs at the threshold, by which fields of each record were
 * placeholders and by comparison pattern, (4) per multi-valued field the true
 * pairs that share a value only outside its first value column, (5) with a lower
 * threshold, the candidate pairs scored between the two (those a lower threshold
 * would link) by comparison pattern, with their share of true matches, and the
 * candidate pairs by match probability once more, apart for pairs that compare
 * no name, birth date or identifier. Counts and level labels only: no record
 * value is printed.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { link, validateSettings, type LinkResult } from '@mpi/core';
import { compileVectorizer } from '@mpi/scoring';
import { truthByRow } from './truth.js';

const [dir, thresholdArg, lowerArg] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: calibration-audit <generated data set directory> [threshold] [lower threshold]');
const threshold = Number(thresholdArg ?? 0.5);
const lower = lowerArg === undefined ? undefined : Number(lowerArg);
/** Random different-person pairs behind the true u of each level. */
const U_SAMPLE = 400_000;

const settings = validateSettings(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')));
const names = readdirSync(dir).filter((f) => f.endsWith('.csv') && f !== 'truth.csv').map((f) => f.slice(0, -4)).sort();
const result = await link({ settings, sources: names.map((name) => ({ name, path: join(dir, `${name}.csv`) })), threads: 2 });
const person = await truthByRow(result.table, { kind: 'csv', path: join(dir, 'truth.csv') });
const { table, model } = result;
const comparisons = model.comparisons;
const width = comparisons.length;
const vectorizer = compileVectorizer(table, comparisons);
const levels = new Uint8Array(width);
const size = table.size;
const space = (size * (size - 1)) / 2;
const same = (a: number, b: number) => person[a] >= 0 && person[a] === person[b];

/** Which fields of each record were placeholders (made missing), as "field+field" or "-". */
const marks = new Map<number, string[]>();
for (const [field, { rows }] of Object.entries(table.placeholders ?? {})) for (const r of rows) marks.set(r, [...(marks.get(r) ?? []), field]);
const markOf = (r: number) => (marks.get(r) ?? []).sort().join('+') || '-';
const pairMarks = (a: number, b: number) => [markOf(a), markOf(b)].sort().join(' | ');

const people = new Map<number, number[]>();
for (let r = 0; r < size; r++) if (person[r] >= 0) people.set(person[r], [...(people.get(person[r]) ?? []), r]);
const truePairs: [number, number][] = [];
for (const rows of people.values()) for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) truePairs.push([rows[i], rows[j]]);

function levelCounts(pairs: Iterable<[number, number]>): Float64Array[] {
  const counts = comparisons.map((c) => new Float64Array(c.levels.length));
  for (const [a, b] of pairs) {
    vectorizer.vectorize(a, b, levels, 0);
    for (let c = 0; c < width; c++) counts[c][levels[c]]++;
  }
  return counts;
}

function* randomNonMatches(count: number): Generator<[number, number]> {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let drawn = 0; drawn < count; ) {
    const a = Math.floor(next() * size);
    const b = Math.floor(next() * size);
    if (a === b || same(a, b)) continue;
    drawn++;
    yield [a, b];
  }
}

/** An exact level's u over every different-person pair: pairs sharing the value id, less those of one person. */
function exactU(column: string): number {
  const ids = table.columns[column].ids;
  const byValue = new Map<number, Map<number, number>>();
  let present = 0;
  for (let r = 0; r < size; r++) {
    if (ids[r] === 0) continue;
    present++;
    const holders = byValue.get(ids[r]) ?? new Map<number, number>();
    holders.set(person[r], (holders.get(person[r]) ?? 0) + 1);
    byValue.set(ids[r], holders);
  }
  let agreeing = 0;
  for (const holders of byValue.values()) {
    let total = 0;
    for (const n of holders.values()) {
      total += n;
      agreeing -= (n * (n - 1)) / 2;
    }
    agreeing += (total * (total - 1)) / 2;
  }
  return agreeing / ((present * (present - 1)) / 2);
}

const share = (row: Float64Array, level: number) => row[level] / (row.reduce((s, n) => s + n, 0) - row[0]);
const mTrue = levelCounts(truePairs);
const uTrue = levelCounts(randomNonMatches(U_SAMPLE));
console.log(`records ${size}, true pairs ${truePairs.length}: prior ${(truePairs.length / space).toExponential(3)} true, ${model.prior.toExponential(3)} learnt`);
console.log('level: m learnt / true, u learnt (household alone) / true, weight learnt / true');
comparisons.forEach((comparison, c) => {
  console.log(`${comparison.name}: missing in ${(mTrue[c][0] / truePairs.length).toFixed(3)} of the true pairs`);
  for (let l = 1; l < comparison.levels.length; l++) {
    const [m, u, tm, tu] = [model.m[c][l], model.u[c][l], share(mTrue[c], l), share(uTrue[c], l)];
    const alone = model.householdAloneU?.[c]?.[l];
    const exact = l === 1 && comparison.levels[1].test.type === 'exact' && !comparison.valueColumns?.length ? exactU(comparison.column) : undefined;
    const uOf = exact ?? tu;
    console.log(
      `  ${comparison.levels[l].label.padEnd(30)} m ${m.toFixed(4)} / ${tm.toFixed(4)}  u ${u.toExponential(2)}${alone === undefined ? '' : ` (${alone.toExponential(2)})`} / ${uOf.toExponential(2)}` +
        `  w ${Math.log2(m / u).toFixed(2)} / ${uOf > 0 && tm > 0 ? Math.log2(tm / uOf).toFixed(2) : '-'}`,
    );
  }
});

const bins = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001];
const missedLinks: [number, number][] = [];
const falseLinks: [number, number][] = [];
const band: [number, number][] = [];
const scored: [number, number, number][] = [];
const candidates = new Set<number>();
eachPair(result, (a, b, p) => {
  const match = same(a, b);
  candidates.add(a * size + b);
  if (match && p < threshold) missedLinks.push([a, b]);
  if (!match && p >= threshold) falseLinks.push([a, b]);
  if (lower !== undefined && p >= lower && p < threshold) band.push([a, b]);
  scored.push([a, b, p]);
});
console.log('\ncandidate pairs by match probability: pairs, true matches, mean probability, share of true matches');
printBins(scored);

function eachPair(linked: LinkResult, visit: (a: number, b: number, probability: number) => void): void {
  linked.pairs.chunks.forEach(({ left, right }, chunk) => {
    for (let k = 0; k < left.length; k++) visit(left[k], right[k], 1 / (1 + 2 ** -linked.weights[chunk][k]));
  });
}

/** Candidate pairs by match probability bin: pairs, true matches, mean probability, share of true matches. */
function printBins(pairs: readonly [number, number, number][]): void {
  const rows = bins.map(() => ({ pairs: 0, matches: 0, probability: 0 }));
  for (const [a, b, p] of pairs) {
    const bin = rows[bins.findIndex((edge, i) => p >= edge && p < bins[i + 1])];
    bin.pairs++;
    bin.matches += same(a, b) ? 1 : 0;
    bin.probability += p;
  }
  rows.forEach((bin, i) => {
    if (bin.pairs > 0) console.log(`  [${bins[i].toFixed(2)}, ${Math.min(1, bins[i + 1]).toFixed(2)})  ${String(bin.pairs).padStart(7)}  ${String(bin.matches).padStart(6)}  ${(bin.probability / bin.pairs).toFixed(3)}  ${(bin.matches / bin.pairs).toFixed(3)}`);
  });
}

function pattern(a: number, b: number): string {
  vectorizer.vectorize(a, b, levels, 0);
  return comparisons.map((comparison, c) => `${comparison.name}:${levels[c] === 0 ? '-' : comparison.levels[levels[c]].label.split(' ')[0]}`).join(' ');
}

/** Comparisons that say who the person is: names, birth date, identifiers (not sex, whose agreement half of all pairs share, nor household evidence). */
const household = new Set(['street_number', 'street_address', 'city', 'state', 'postcode', 'phone', 'email']);
const identifying = comparisons.flatMap((comparison, c) => (!household.has(table.fieldKinds.get(comparison.column) ?? '') && model.u[c][1] < 0.1 ? [c] : []));
function comparesNoIdentifyingField(a: number, b: number): boolean {
  vectorizer.vectorize(a, b, levels, 0);
  return identifying.every((c) => levels[c] === 0);
}

function tally(title: string, pairs: readonly [number, number][], byPattern: boolean): void {
  console.log(`\n${title}: ${pairs.length}, of which ${pairs.filter(([a, b]) => comparesNoIdentifyingField(a, b)).length} compare no name, birth date or identifier`);
  const count = (key: (a: number, b: number) => string) => {
    const counts = new Map<string, number>();
    for (const [a, b] of pairs) counts.set(key(a, b), (counts.get(key(a, b)) ?? 0) + 1);
    for (const [k, n] of [...counts].sort((x, y) => y[1] - x[1]).slice(0, 12)) console.log(`  ${String(n).padStart(5)}  ${k}`);
  };
  console.log(' by the placeholder fields of the two records:');
  count(pairMarks);
  if (!byPattern) return;
  console.log(' by comparison pattern:');
  count(pattern);
}

// Multi-valued fields: true pairs whose only shared value of a field lies outside its first value
// column, which a blocking rule on the first column cannot pair.
for (const [field, further] of table.valueColumns) {
  const slots = [field, ...further].map((column) => table.columns[column].ids);
  const firstShared = (a: number, b: number) => slots[0][a] !== 0 && slots[0][a] === slots[0][b];
  const anyShared = (a: number, b: number) => slots.some((x) => x[a] !== 0 && slots.some((y) => x[a] === y[b]));
  const onlyLater = truePairs.filter(([a, b]) => anyShared(a, b) && !firstShared(a, b));
  const missed = onlyLater.filter(([a, b]) => !candidates.has(Math.min(a, b) * size + Math.max(a, b))).length;
  console.log(`${field}: ${onlyLater.length} true pairs share a value only outside the first value column, ${missed} of them not candidates`);
}

tally('true pairs blocking missed', truePairs.filter(([a, b]) => !candidates.has(Math.min(a, b) * size + Math.max(a, b))), true);
tally(`false links (different people scored >= ${threshold})`, falseLinks, true);
tally(`missed links (true candidate pairs scored < ${threshold})`, missedLinks, true);

if (lower !== undefined) {
  console.log(`\ncandidate pairs scored in [${lower}, ${threshold}) by comparison pattern: pairs, true matches`);
  const byPattern = new Map<string, [number, number]>();
  for (const [a, b] of band) {
    const key = `${comparesNoIdentifyingField(a, b) ? 'alone ' : ''}${pattern(a, b)}`;
    const row = byPattern.get(key) ?? [0, 0];
    row[0]++;
    row[1] += same(a, b) ? 1 : 0;
    byPattern.set(key, row);
  }
  const matches = band.filter(([a, b]) => same(a, b)).length;
  console.log(`  ${band.length} pairs, ${matches} true matches`);
  for (const [key, [n, t]] of [...byPattern].sort((x, y) => y[1][0] - x[1][0]).slice(0, 20)) console.log(`  ${String(n).padStart(5)}  ${String(t).padStart(5)}  ${key}`);
  console.log('\ncandidate pairs comparing no name, birth date or identifier, by match probability');
  printBins(scored.filter(([a, b]) => comparesNoIdentifyingField(a, b)));
  console.log('the other candidate pairs, by match probability');
  printBins(scored.filter(([a, b]) => !comparesNoIdentifyingField(a, b)));
}
