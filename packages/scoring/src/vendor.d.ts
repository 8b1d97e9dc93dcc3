// Type declarations for the talisman deep imports used here (talisman ships CommonJS without
// types or an exports map, so Node ESM needs the file extension in the specifier).

declare module 'talisman/metrics/levenshtein.js' {
  interface Levenshtein {
    (a: string, b: string): number;
    /** Distance, or Infinity once it exceeds max. */
    limited(max: number, a: string, b: string): number;
  }
  const levenshtein: Levenshtein;
  export default levenshtein;
}

declare module 'talisman/metrics/damerau-levenshtein.js' {
  interface DamerauLevenshtein {
    (a: string, b: string): number;
    /** Distance, or Infinity once it exceeds max. */
    limited(max: number, a: string, b: string): number;
  }
  const damerauLevenshtein: DamerauLevenshtein;
  export default damerauLevenshtein;
}
