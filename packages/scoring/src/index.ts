export type * from './types.js';
export { characterMask, jaro, jaroWinkler, jaroWinklerAtLeast, JARO_SCAN_MAX_LENGTH, maxJaroMatches } from './kernels/jaro-winkler.js';
export { levenshtein, levenshteinWithin, damerauLevenshtein, damerauLevenshteinWithin } from './kernels/edit-distance.js';
export { doubleMetaphoneCodes, sharesDoubleMetaphone } from './kernels/phonetic.js';
export { tokenMask, tokenOverlap, tokenSet, tokenJaccard } from './kernels/tokens.js';
export { civilDayNumber, dayNumber, daysBetween, eightDigits, isDayMonthTransposed, isYearOffByOne, isOneCharacterOff } from './kernels/dates.js';
export { nicknameTable, givenNameGroups, areNicknames } from './nicknames.js';
export { InvalidComparisonError } from './invalid-comparison-error.js';
export { MpiError } from '@mpi/types';
export { MAX_LEVELS, validateComparisons } from './validate-comparisons.js';
export { compileVectorizer, CompiledVectorizer, unionValueSlots, vectorizePairs, type VectorizerOptions } from './vectorizer.js';
export {
  frequenciesOfCounts,
  householdFrequencies,
  householdFrequenciesOfCounts,
  identifierFrequencies,
  identifierFrequenciesOfCounts,
  termFrequencies,
  valueCounts,
} from './term-frequencies.js';
export { ComparisonPool, type ComparisonPoolOptions } from './pool.js';
export * from './comparison-library.js';
export * from './model/index.js';
