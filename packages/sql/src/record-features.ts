import { applyKeyTransform } from '@mpi/blocking';
import { civilDayNumber, doubleMetaphoneCodes, eightDigits, givenNameGroups, tokenSet } from '@mpi/scoring';
import type { Feature } from './plan/expression.js';

/**
 * A precomputed feature of one normalized value, in the form the records
 * table holds it: lists are arrays, a value without the feature is null.
 * Computed by our own code once per distinct value (no engine has our Double
 * Metaphone, nickname table or date parsing); the SQL only compares them.
 */
export function valueFeature(value: string, feature: Feature): string | number | readonly (string | number)[] | null {
  switch (feature) {
    case 'value':
      return value;
    case 'metaphonePrimary':
    case 'metaphoneSecondary': {
      const code = doubleMetaphoneCodes(value)[feature === 'metaphonePrimary' ? 0 : 1];
      return code === '' ? null : code;
    }
    case 'nicknames':
      return givenNameGroups(value);
    case 'tokens':
      return [...tokenSet(value)];
    case 'year':
    case 'month':
    case 'day':
    case 'dayNumber': {
      const digits = eightDigits(value);
      if (digits < 0) return null;
      const year = Math.floor(digits / 10_000);
      const month = Math.floor(digits / 100) % 100;
      const day = digits % 100;
      if (feature === 'dayNumber') {
        const number = civilDayNumber(year, month, day);
        return Number.isNaN(number) ? null : number;
      }
      return feature === 'year' ? year : feature === 'month' ? month : day;
    }
  }
}

/** A derived blocking key of one value, null when the transform gives none (the record then never blocks on it). */
export function valueKey(value: string, transform: Parameters<typeof applyKeyTransform>[1]): string | null {
  const key = applyKeyTransform(value, transform);
  return key === '' ? null : key;
}
