import { levenshtein } from '@mpi/scoring';

/**
 * The known name a misspelt one most likely meant, for "did you mean" hints:
 * the nearest by edit distance ignoring case, if it is within a third of its
 * length (at least 1), so short names are not "corrected" into unrelated ones.
 */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = levenshtein(wanted, candidate.toLowerCase());
    if (distance < bestDistance && distance <= Math.max(1, Math.floor(candidate.length / 3))) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ", did you mean X?" when a known name is near, else "". */
export function didYouMean(name: string, known: Iterable<string>): string {
  const nearest = nearestName(name, known);
  return nearest === undefined ? '' : `, did you mean ${nearest}?`;
}
