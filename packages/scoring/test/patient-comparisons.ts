import {
  birthDateComparison,
  cityComparison,
  familyNameComparison,
  givenNameComparison,
  middleNameComparison,
  postcodeComparison,
  sexComparison,
  streetAddressComparison,
  streetNumberComparison,
  type Comparison,
} from '../src/index.js';

/** A typical patient-record comparison set over the columns of syntheticRows. */
export const patientComparisons: readonly Comparison[] = [
  givenNameComparison('given_name', { swappedWith: 'family_name' }),
  familyNameComparison('family_name', { swappedWith: 'given_name' }),
  middleNameComparison('middle_name'),
  birthDateComparison('birth_date'),
  sexComparison('sex'),
  streetNumberComparison('street_number'),
  streetAddressComparison('street'),
  cityComparison('city'),
  postcodeComparison('postcode'),
];
