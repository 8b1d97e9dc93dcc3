import { civilDayNumber, eightDigits } from './kernels/dates.js';
import { characterMask } from './kernels/jaro-winkler.js';
import { doubleMetaphoneCodes, sharesCode } from './kernels/phonetic.js';
import { tokenMask } from './kernels/tokens.js';
import { givenNameGroups } from './nicknames.js';
import type { EncodedColumn } from './types.js';

/**
 * Per-value derivations of one column (phonetic codes, masks, nickname groups, dates),
 * computed at most once per distinct dictionary value and only when a level needs them.
 */
export class ColumnValues {
  readonly dictionary: readonly string[];
  readonly ids: Uint32Array;
  private metaphone: Int32Array | undefined;
  private metaphoneIds: Map<string, number> | undefined;
  private groups: (readonly number[])[] | undefined;
  private dates: ParsedDates | undefined;
  private masks: Int32Array | undefined;
  private tokenMaskById: Int32Array | undefined;

  constructor(column: EncodedColumn) {
    this.dictionary = column.dictionary;
    this.ids = column.ids;
  }

  /**
   * Whether the values share a non-empty Double Metaphone code (sharesDoubleMetaphone).
   * Each value's two codes are kept as ids of distinct codes, not as strings: a
   * pair of strings per distinct name grew a comparison worker's old space with
   * every new name, and the two workers' collections then competed for the cores.
   */
  sharesDoubleMetaphone(a: number, b: number): boolean {
    const codes = this.metaphoneCodes(a, b);
    return sharesCode(codes[2 * a], codes[2 * a + 1], codes[2 * b], codes[2 * b + 1], EMPTY_CODE);
  }

  /** Code ids (primary, secondary) by value id, with those of a and b computed. */
  private metaphoneCodes(a: number, b: number): Int32Array {
    const codes = (this.metaphone ??= new Int32Array(2 * this.dictionary.length).fill(UNKNOWN_CODE));
    if (codes[2 * a] === UNKNOWN_CODE) this.encodeMetaphone(codes, a);
    if (codes[2 * b] === UNKNOWN_CODE) this.encodeMetaphone(codes, b);
    return codes;
  }

  private encodeMetaphone(codes: Int32Array, id: number): void {
    const [primary, secondary] = doubleMetaphoneCodes(this.dictionary[id]);
    codes[2 * id] = this.codeId(primary);
    codes[2 * id + 1] = this.codeId(secondary);
  }

  private codeId(code: string): number {
    const ids = (this.metaphoneIds ??= new Map([['', EMPTY_CODE]]));
    let id = ids.get(code);
    if (id === undefined) ids.set(code, (id = ids.size));
    return id;
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

/** Code id of the empty Double Metaphone code, which matches nothing. */
const EMPTY_CODE = 0;
/** Marks a value whose codes are not computed yet. */
const UNKNOWN_CODE = -1;

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
