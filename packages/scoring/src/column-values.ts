import { civilDayNumber, eightDigits } from './kernels/dates.js';
import { characterMask } from './kernels/jaro-winkler.js';
import { doubleMetaphoneCodes } from './kernels/phonetic.js';
import { tokenMask, tokenSet } from './kernels/tokens.js';
import { givenNameGroups } from './nicknames.js';
import type { EncodedColumn } from './types.js';

/**
 * Per-value derivations of one column (phonetic codes, token sets, nickname groups),
 * computed at most once per distinct dictionary value and only when a level needs them.
 */
export class ColumnValues {
  readonly dictionary: readonly string[];
  readonly ids: Uint32Array;
  private metaphone: (readonly [string, string])[] | undefined;
  private tokens: ReadonlySet<string>[] | undefined;
  private groups: (readonly number[])[] | undefined;
  private dates: ParsedDates | undefined;
  private masks: Int32Array | undefined;
  private tokenMaskById: Int32Array | undefined;

  constructor(column: EncodedColumn) {
    this.dictionary = column.dictionary;
    this.ids = column.ids;
  }

  doubleMetaphone(id: number): readonly [string, string] {
    const cache = (this.metaphone ??= new Array(this.dictionary.length));
    return (cache[id] ??= doubleMetaphoneCodes(this.dictionary[id]));
  }

  tokenSet(id: number): ReadonlySet<string> {
    const cache = (this.tokens ??= new Array(this.dictionary.length));
    return (cache[id] ??= tokenSet(this.dictionary[id]));
  }

  /** Year, month, day and day number of every YYYYMMDD value, parsed once (-1 / NaN when not a date). */
  parsedDates(): ParsedDates {
    return (this.dates ??= parseDates(this.dictionary));
  }

  /** characterMask of every value by id, computed once (0 for the missing value). */
  characterMasks(): Int32Array {
    return (this.masks ??= masksOf(this.dictionary, characterMask));
  }

  /** tokenMask of every value by id, computed once. */
  tokenMasks(): Int32Array {
    return (this.tokenMaskById ??= masksOf(this.dictionary, tokenMask));
  }

  nicknameGroups(id: number): readonly number[] {
    const cache = (this.groups ??= new Array(this.dictionary.length));
    return (cache[id] ??= givenNameGroups(this.dictionary[id]));
  }
}

/** A 32-bit mask of every value by id (0 for the missing value, id 0). */
function masksOf(dictionary: readonly string[], mask: (value: string) => number): Int32Array {
  const masks = new Int32Array(dictionary.length);
  for (let id = 1; id < dictionary.length; id++) masks[id] = mask(dictionary[id]);
  return masks;
}

/** Dates of a dictionary by id: fields are -1 where the value is not eight digits. */
export interface ParsedDates {
  readonly year: Int32Array;
  readonly month: Int32Array;
  readonly day: Int32Array;
  /** Days since 1970-01-01; NaN where the value is not a real calendar date. */
  readonly dayNumber: Float64Array;
}

function parseDates(dictionary: readonly string[]): ParsedDates {
  const n = dictionary.length;
  const dates = {
    year: new Int32Array(n).fill(-1),
    month: new Int32Array(n).fill(-1),
    day: new Int32Array(n).fill(-1),
    dayNumber: new Float64Array(n).fill(NaN),
  };
  for (let id = 1; id < n; id++) {
    const digits = eightDigits(dictionary[id]);
    if (digits < 0) continue;
    const year = Math.floor(digits / 10_000);
    const month = Math.floor(digits / 100) % 100;
    const day = digits % 100;
    dates.year[id] = year;
    dates.month[id] = month;
    dates.day[id] = day;
    dates.dayNumber[id] = civilDayNumber(year, month, day);
  }
  return dates;
}
