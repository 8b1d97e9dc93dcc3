export { countPatterns, countSessionPatterns, MAX_PATTERN_SESSIONS } from './pattern-counts.js';
export { comparisonSpaceSize, sampleRandomPairs, sampleRandomPairsPart, samplePartCount, SAMPLE_PART_PAIRS } from './random-pairs.js';
export type { RandomPairsPartOptions, SampleRandomPairsOptions, SamplingMode } from './random-pairs.js';
export { exactAgreement, exactAgreements, hasExactFirstLevel } from './exact-agreement.js';
export type { ExactAgreement } from './exact-agreement.js';
export { estimateU, levelCounts, uFromLevelCounts, UNOBSERVED_LEVEL_PSEUDO_COUNT } from './u-probabilities.js';
export { expectationMaximisation } from './expectation-maximisation.js';
export type { ExpectationMaximisationOptions, ExpectationMaximisationResult } from './expectation-maximisation.js';
export { MIN_PROBABILITY } from './probabilities.js';
export { trainModel, defaultStartingM } from './train-model.js';
export { estimateInteractions, exactLevel } from './interactions.js';
export type { InteractionEstimateInput } from './interactions.js';
export { defaultParameters, DEFAULT_M_PSEUDO_MATCHES, DEFAULT_U_PSEUDO_PAIRS } from './default-parameters.js';
export type {
  FellegiSunterModel,
  InteractionTerm,
  MatchExplanation,
  ModelReportRow,
  TermFrequencyInput,
  TrainModelOptions,
  TrainingSession,
  TrainingSessionSummary,
  TrainingWarning,
} from './model-types.js';
export { matchWeightTable, priorWeight, matchProbability, levelWeight, tfAdjustmentWeight } from './match-weights.js';
export { compileWeights, pairFrequency, scorePairs, withTermFrequencies, VETO_DISAGREEMENTS } from './score-pairs.js';
export { AGREES, DISAGREES, NEUTRAL } from './demographic-roles.js';
export { householdAloneU, householdEvidenceAlone, identifyingComparisons } from './household-alone.js';
export type { CompiledWeights } from './score-pairs.js';
export type { ScorePairsOptions } from './score-pairs.js';
export { explainPair } from './explain-pair.js';
export type { ExplainPairOptions } from './explain-pair.js';
export { serializeModel, parseModel, InvalidModelError } from './model-json.js';
export { modelReport, formatModelReport, formatTrainingSummary } from './model-report.js';
