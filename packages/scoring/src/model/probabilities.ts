/**
 * Smallest probability an m or u value may take. A zero m or u would make a
 * level's match weight infinite, and one observation could then veto or force
 * a match on its own; flooring keeps every Bayes factor finite.
 */
export const MIN_PROBABILITY = 1e-9;

/**
 * Floors the non-null levels of one comparison's distribution (m or u) at
 * `floor` and rescales them to sum to 1. Level 0 (the null level) is set to 1
 * by convention: it carries no weight. Writes in place and returns `row`.
 */
export function floorAndNormalise(row: number[], floor: number = MIN_PROBABILITY): number[] {
  let sum = 0;
  for (let level = 1; level < row.length; level++) {
    const value = Number.isFinite(row[level]) ? Math.max(row[level], floor) : floor;
    row[level] = value;
    sum += value;
  }
  for (let level = 1; level < row.length; level++) row[level] /= sum;
  row[0] = 1;
  return row;
}

/** Deep copy of per-comparison, per-level probabilities. */
export function copyTable(table: readonly (readonly number[])[]): number[][] {
  return table.map((row) => row.slice());
}
