import { link, validateSettings } from '@mpi/core';
import { readFileSync } from 'node:fs';
const [settingsPath, ...srcs] = process.argv.slice(2);
const settings = validateSettings(JSON.parse(readFileSync(settingsPath, 'utf8')));
const sources = srcs.map(s => ({ name: s.split('=')[0], path: s.split('=')[1] }));
const r = await link({ settings, sources, threads: 2 });
const person = r.table.recordIds.map(id => /^rec-(\d+)-/.exec(id)[1]);
const cand = new Set();
let found = 0;
for (const [c, { left, right }] of r.pairs.chunks.entries()) for (let k = 0; k < left.length; k++) { if (person[left[k]] === person[right[k]]) { found++; cand.add(left[k] + ':' + right[k]); } }
// true pairs
const by = new Map(); person.forEach((p, i) => { if (!by.has(p)) by.set(p, []); by.get(p).push(i); });
let truePairs = 0; const missed = [];
for (const rows of by.values()) for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) {
  if (settings.mode === 'link' && r.table.source[rows[i]] === r.table.source[rows[j]]) continue;
  truePairs++; if (!cand.has(rows[i] + ':' + rows[j])) missed.push([rows[i], rows[j]]);
}
console.log('PC', found / truePairs, 'found', found, 'true', truePairs);
// low-scored true candidate pairs
const low = [];
for (const [c, { left, right }] of r.pairs.chunks.entries()) for (let k = 0; k < left.length; k++) if (person[left[k]] === person[right[k]] && r.weights[c][k] < 0) low.push([left[k], right[k], r.weights[c][k]]);
console.log('true candidates below threshold', low.length);
const show = (row) => Object.entries(r.table.columns).map(([f, c]) => c.dictionary[c.ids[row]]).join(' | ');
console.log(Object.keys(r.table.columns).join(' | '));
for (const [a, b] of missed.slice(0, Number(process.env.N ?? 8))) console.log('MISSED\n  ' + show(a) + '\n  ' + show(b));
for (const [a, b, w] of low.slice(0, Number(process.env.N ?? 8))) { console.log('LOW', w.toFixed(2) + '\n  ' + show(a) + '\n  ' + show(b)); const e = r.explain({source: r.table.sources[r.table.source[a]], recordId: r.table.recordIds[a]}, {source: r.table.sources[r.table.source[b]], recordId: r.table.recordIds[b]}); console.log('  ' + e.terms.map(t => `${t.comparison}:${t.label}=${(t.weight+t.tfAdjustment).toFixed(1)}`).join(' ')); }
