/**
 * Scratch folders: where the DuckDB engine keeps its work database and spills
 * (tens of GB at 50M records). Each is removed when the run ends, and by the
 * signal handler when it is interrupted (removeScratchFoldersSync): a `finally`
 * does not run when a signal ends the process, and an interrupted 50M run left
 * 37 GB behind.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

const live = new Set<string>();

/** Makes folder `path` (or, with `under`, a new folder named `path` plus a random suffix, its parent made if need be) and holds it until released. */
export function holdScratchFolder(path: string, { under = false } = {}): string {
  mkdirSync(under ? dirname(path) : path, { recursive: true });
  const folder = under ? mkdtempSync(path) : path;
  live.add(folder);
  return folder;
}

/** Removes a scratch folder and what is in it. */
export function releaseScratchFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
  live.delete(folder);
}

/** Removes every scratch folder still held (for signal handlers; synchronous on purpose). */
export function removeScratchFoldersSync(): void {
  for (const folder of live) rmSync(folder, { recursive: true, force: true });
  live.clear();
}
