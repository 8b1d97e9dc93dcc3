import type { Comparison } from '../types.js';

/**
 * Default m and u of the built-in comparisons (comparison-library.ts), per field
 * kind and level label, for what a batch too small to train cannot estimate: a
 * 3-record batch gave an exact given-name agreement a negative weight. trainModel
 * blends them with what EM and the random pairs estimate, as pseudo-counts
 * (DEFAULT_M_PSEUDO_MATCHES, DEFAULT_U_PSEUDO_PAIRS), so they fade as data grows.
 *
 * Source of every figure: the model this engine trained on the generated default
 * population (`pnpm bench --suite regimes --scale 2000 --regimes default`, 3,391
 * records of 2,000 people, seed 1, kinds-only settings; `mpi link --report`),
 * rounded to two significant figures. Two exceptions, judged rather than measured:
 * the exact level of national id, phone and e-mail, whose sampled u (2e-4 to 7e-4)
 * is bounded by the size of that sample (one pair in ~3,400 records), takes 1e-5
 * (one value a person, shared by unrelated people through typos and reuse); and
 * sex takes u = 0.5 (two values in even shares). docs/decisions/training-defaults.md
 * has the table and the command.
 */
const DEFAULTS: Readonly<Record<string, Readonly<Record<string, readonly [m: number, u: number]>>>> = {
  given_name: {
    exact: [0.85, 0.0044],
    nickname: [0.06, 0.0032],
    'swapped with *': [0.0006, 0.00005],
    'Jaro-Winkler >= 0.92': [0.038, 0.0006],
    'Damerau-Levenshtein <= 1': [0.02, 0.001],
    'Jaro-Winkler >= 0.8': [0.0076, 0.0053],
    'Double Metaphone': [0.0023, 0.0018],
    initial: [0.014, 0.0015],
    'swapped with *, Jaro-Winkler >= 0.9': [0.0006, 0.000025],
    'equals * of the other record': [0.0012, 0.0003],
    else: [0.0095, 0.98],
  },
  middle_name: {
    exact: [0.31, 0.016],
    'Jaro-Winkler >= 0.92': [0.0017, 0.0005],
    initial: [0.67, 0.036],
    else: [0.0097, 0.95],
  },
  family_name: {
    exact: [0.88, 0.005],
    'swapped with *': [0.0039, 0.00005],
    'Jaro-Winkler >= 0.92': [0.048, 0.0013],
    'Damerau-Levenshtein <= 1': [0.016, 0.0002],
    'Jaro-Winkler >= 0.8': [0.0066, 0.0036],
    'Double Metaphone': [0.0006, 0.0011],
    'swapped with *, Jaro-Winkler >= 0.9': [0.0011, 0.000025],
    'equals * of the other record': [0.0022, 0.0003],
    else: [0.042, 0.99],
  },
  birth_date: {
    exact: [0.93, 0.00036],
    'one digit off or adjacent digits swapped': [0.027, 0.001],
    'day/month transposed': [0.0035, 0.00005],
    'year off by one': [0.0006, 0.000025],
    'within 30 days': [0.0006, 0.0023],
    else: [0.037, 0.996],
  },
  sex: { exact: [0.99, 0.5], else: [0.012, 0.5] },
  street_address: {
    exact: [0.79, 0.0011],
    'Damerau-Levenshtein <= 1': [0.035, 0.00006],
    'Jaro-Winkler >= 0.9': [0.0061, 0.0003],
    'token overlap >= 0.5': [0.0015, 0.00012],
    else: [0.17, 0.998],
  },
  city: { exact: [0.83, 0.0079], 'Jaro-Winkler >= 0.9': [0.0007, 0.00055], else: [0.17, 0.99] },
  state: { exact: [0.83, 0.026], 'Damerau-Levenshtein <= 1': [0.023, 0.13], else: [0.15, 0.84] },
  postcode: {
    exact: [0.81, 0.0012],
    'Damerau-Levenshtein <= 1': [0.016, 0.0013],
    'first 3 characters agree': [0.0015, 0.006],
    else: [0.17, 0.99],
  },
  phone: { exact: [0.98, 0.00001], 'Damerau-Levenshtein <= 1': [0.012, 0.000035], else: [0.0062, 0.999] },
  email: { exact: [0.97, 0.00001], 'Damerau-Levenshtein <= 1': [0.0093, 0.00038], else: [0.017, 0.999] },
  national_id: { exact: [0.97, 0.00001], 'Damerau-Levenshtein <= 1': [0.025, 0.00011], else: [0.0038, 0.9997] },
};

/** Pseudo-matches the default m counts for: with fewer expected matches than this, the defaults weigh more than the data. */
export const DEFAULT_M_PSEUDO_MATCHES = 20;

/** Pseudo-pairs the default u counts for: with fewer random pairs than this, the defaults weigh more than the sample. */
export const DEFAULT_U_PSEUDO_PAIRS = 200;

/** A level label with the other column's name taken out ("swapped with family_name" -> "swapped with *"). */
function generic(label: string): string {
  return label.replace(/^(swapped with|equals|like) [^ ,]+/, '$1 *');
}

/**
 * The default m and u of a built-in comparison over a field of `kind`, one value
 * per level (level 0, the null level, is 1), or undefined when the kind has no
 * defaults or the comparison has a level they do not name (a custom comparison).
 */
export function defaultParameters(kind: string | undefined, comparison: Comparison): { m: number[]; u: number[] } | undefined {
  const table = kind === undefined ? undefined : DEFAULTS[kind];
  if (table === undefined) return undefined;
  const levels = comparison.levels.slice(1).map((level) => table[generic(level.label)]);
  if (levels.some((values) => values === undefined)) return undefined;
  const normalised = (index: 0 | 1): number[] => {
    const total = levels.reduce((sum, values) => sum + values![index], 0);
    return [1, ...levels.map((values) => values![index] / total)];
  };
  return { m: normalised(0), u: normalised(1) };
}
