export type * from './types.js';
export { applyKeyTransform, isKeyTransform } from './key-transforms.js';
export { isAsciiAlphanumeric, isAsciiDigits } from './ascii.js';
export {
  combineRecordKeys,
  deriveDictionaryKeys,
  deriveKeyPart,
  deriveRecordKeys,
  type DerivedDictionaryKeys,
  type RecordKeys,
} from './derive-key.js';
export { compileBlockingRule } from './compile-rule.js';
export { blockingRuleName } from './rule-name.js';
export { comparisonSpace, countRulePairs, sortedNeighbourhoodPairs, totalPairs } from './count-pairs.js';
export { DEFAULT_CHUNK_SIZE, generatePairs } from './generate-pairs.js';
export { InvalidBlockingRuleError, PairBudgetExceededError, UnknownBlockingColumnError } from './errors.js';
export { MpiError } from '@mpi/types';
