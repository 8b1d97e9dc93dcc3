import type { LinkMode } from '@mpi/types';
import type { ClusteringMethod } from '../defaults/clustering-method.js';

/**
 * Defaults of the optional settings. A file of its own so that the settings
 * schema can state them without importing settings.ts, which imports the schema.
 */
export const DEFAULTS = {
  mode: 'dedupe' as LinkMode,
  threshold: 0.5,
  clustering: 'averageLinkage' as ClusteringMethod,
  /** The largest default u sample (see defaultUSampleSize). */
  uSampleSize: 200_000,
  seed: 1,
  invalidValues: 'flag' as const,
  defaultCountry: 'US',
};
