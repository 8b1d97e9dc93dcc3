import { describe, expect, it } from 'vitest';
import { validateSettings, type FieldKind } from '../src/index.js';
import { defaultComparisons, FIELD_KINDS } from '../src/advanced.js';

/** Default comparisons for logical fields (the names the kinds feed in the record table). */
const comparisonsOf = (fields: Record<string, FieldKind>) => defaultComparisons(new Map(Object.entries(fields)));

describe('field kind address_line_2', () => {
  it('is a declarable kind', () => {
    expect(FIELD_KINDS).toContain('address_line_2');
    const settings = validateSettings({ recordId: 'id', fields: { line1: 'street_address', line2: 'address_line_2' } });
    expect(settings.fields.line2).toBe('address_line_2');
  });

  it('compares the two address lines with each other when both are declared', () => {
    const comparisons = comparisonsOf({ street_address: 'street_address', address_line_2: 'address_line_2', postcode: 'postcode' });
    const line1 = comparisons.find((c) => c.column === 'street_address');
    const line2 = comparisons.find((c) => c.column === 'address_line_2');
    expect(line1?.levels.map((l) => l.label)).toContain('swapped with address_line_2');
    expect(line1?.levels.map((l) => l.label)).toContain('like address_line_2 of the other record, Jaro-Winkler >= 0.9');
    expect(line2?.levels.map((l) => l.label)).toContain('swapped with street_address');
  });

  it('leaves the first line without swap levels when there is no second line', () => {
    const [line1] = comparisonsOf({ street_address: 'street_address' });
    expect(line1.levels.some((l) => l.test.type === 'swapped' || l.test.type === 'crossMatch')).toBe(false);
  });

  it('counts the second line as evidence of its own, outside the household group', () => {
    const comparisons = comparisonsOf({ street_address: 'street_address', address_line_2: 'address_line_2' });
    expect(comparisons.find((c) => c.column === 'street_address')?.evidenceGroup).toBe('household');
    expect(comparisons.find((c) => c.column === 'address_line_2')?.evidenceGroup).toBeUndefined();
  });
});
