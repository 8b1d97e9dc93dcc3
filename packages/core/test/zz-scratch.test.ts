import { it } from 'vitest';
import { normalizePhone } from '/work/main/packages/core/src/normalize/index.js';
it('x', () => {
  const cases: Array<[string, string|undefined]> = [['(415) 555-2671','US'],['415.555.2671','US'],['+1 415 555 2671',undefined],['1-415-555-2671','US'],['0412 345 678','AU'],['+61 412 345 678','US'],['(02) 9876 5432','AU'],['61412345678','AU'],['020 7946 0958','GB'],['+44 20 7946 0958',undefined],['0412 345 678',undefined],['555-2671','US'],['415-555-2671 ext. 12','US'],['12345', 'US'], ['0000000000','US'], ['ＴＥＬ','US'], ['+999 1234567', undefined]];
  for (const [r,c] of cases) console.log(r, c, JSON.stringify(normalizePhone(r,c)));
});
