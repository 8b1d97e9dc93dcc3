import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

const GIVEN = ['john', 'jon', 'jonathan', 'william', 'bill', 'billy', 'mary', 'margaret', 'peggy', 'elizabeth', 'liz', 'catherine', 'kathryn', 'robert', 'bob', 'michael', 'james', 'jim', 'susan', 'philip'];
const FAMILY = ['smith', 'smyth', 'johnson', 'jonson', 'brown', 'braun', 'lee', 'nguyen', 'garcia', 'miller', 'mueller', 'davis', 'davies', 'wilson', 'anderson', 'andersen', 'taylor', 'thomas'];
const STREETS = ['high street', 'church road', 'station road', 'main street', 'park avenue', 'mill lane'];
const CITIES = ['springfield', 'springfeld', 'riverton', 'lakeside', 'greenville'];

/** Deterministic, lightly corrupted patient-like rows for vectorizer and pool tests. */
export function syntheticRows(count: number, seed: number): Record<string, string>[] {
  const rng: RandomGenerator = xoroshiro128plus(seed);
  const int = (max: number): number => unsafeUniformIntDistribution(0, max - 1, rng);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)];
  const typo = (value: string): string => {
    if (value.length < 2) return value;
    const i = int(value.length - 1);
    switch (int(3)) {
      case 0: return value.slice(0, i) + value[i + 1] + value[i] + value.slice(i + 2);
      case 1: return value.slice(0, i) + value.slice(i + 1);
      default: return value.slice(0, i) + String.fromCharCode(97 + int(26)) + value.slice(i + 1);
    }
  };
  const rows: Record<string, string>[] = [];
  for (let r = 0; r < count; r++) {
    let given = pick(GIVEN);
    let family = pick(FAMILY);
    const year = 1930 + int(90);
    const month = 1 + int(12);
    const day = 1 + int(28);
    let birth = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
    if (int(10) === 0) given = typo(given);
    if (int(10) === 0) family = typo(family);
    if (int(20) === 0) given = given[0];
    if (int(30) === 0) [given, family] = [family, given];
    if (int(15) === 0) birth = typo(birth);
    rows.push({
      given_name: int(25) === 0 ? '' : given,
      family_name: family,
      middle_name: int(3) === 0 ? '' : pick(GIVEN).slice(0, 1 + int(2) * 5),
      birth_date: int(30) === 0 ? '' : birth,
      sex: pick(['f', 'm']),
      street_number: String(1 + int(200)),
      street: pick(STREETS),
      city: pick(CITIES),
      postcode: String(2000 + int(300)),
    });
  }
  return rows;
}

/** Deterministic random pairs (left < right) over count records. */
export function randomPairs(count: number, pairs: number, seed: number): { left: Uint32Array; right: Uint32Array } {
  const rng = xoroshiro128plus(seed);
  const left = new Uint32Array(pairs);
  const right = new Uint32Array(pairs);
  for (let k = 0; k < pairs; k++) {
    const a = unsafeUniformIntDistribution(0, count - 1, rng);
    let b = unsafeUniformIntDistribution(0, count - 2, rng);
    if (b >= a) b++;
    left[k] = Math.min(a, b);
    right[k] = Math.max(a, b);
  }
  return { left, right };
}
