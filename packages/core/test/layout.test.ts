// The rule of docs/decisions/core-layout.md: data flows one way through the
// folders of packages/core/src; no folder imports from a later one.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '../src');
/** The folders in pipeline order; 'top' is index.ts, advanced.ts and cli.ts at the root. */
const ORDER = ['errors', 'normalize', 'defaults', 'settings', 'read', 'cluster', 'pipeline', 'evaluate', 'report', 'output', 'cli', 'top'];

function layer(file: string): string {
  const rel = relative(src, file);
  if (!rel.includes('/')) return rel === 'errors.ts' || rel === 'errors.js' ? 'errors' : 'top';
  return rel.split('/')[0];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('packages/core/src layout', () => {
  it('has every file in a known folder', () => {
    for (const file of sources(src)) expect(ORDER, relative(src, file)).toContain(layer(file));
  });

  it('imports only from its own folder or an earlier one', () => {
    const back: string[] = [];
    for (const file of sources(src)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(file), match[1]);
        if (ORDER.indexOf(layer(target)) > ORDER.indexOf(layer(file))) back.push(`${relative(src, file)} -> ${relative(src, target)}`);
      }
    }
    expect(back).toEqual([]);
  });
});
