/**
 * A column's field kind from its header name alone: the spellings source systems
 * use for each kind (given_name, FIRST_NAME, fname, Forename, "First Name"...).
 * Names are compared as their lower-case letters and digits run together, so
 * case, spaces, underscores, dashes and camelCase do not matter; a leading
 * qualifier (patient_, home_, mailing_, cell_...) is dropped when the rest
 * names a kind on its own.
 */
import type { FieldKind } from '../../defaults/field-kind-names.js';

/** What a header can name: a field kind, or the record id. */
export type HeaderMeaning = FieldKind | 'record_id';

/** Spellings per meaning, in their compact form (lower-case letters and digits only). */
const SPELLINGS: Readonly<Record<Exclude<HeaderMeaning, 'text' | 'ignore'>, readonly string[]>> = {
  record_id: [
    'recid', 'recordid', 'recordnumber', 'recno', 'id', 'mrn', 'medicalrecordnumber', 'patientid', 'patid', 'pid', 'clientid',
    'memberid', 'personid', 'uid', 'uuid', 'rowid', 'key', 'sourceid', 'localid', 'accountnumber', 'enterpriseid',
  ],
  given_name: [
    'givenname', 'given', 'givennames', 'firstname', 'first', 'fname', 'firstnm', 'givennm', 'forename', 'forenames', 'christianname', 'namefirst',
    'gname', 'prename', 'vorname', 'prenom',
  ],
  middle_name: ['middlename', 'middle', 'mname', 'middlenm', 'middleinitial', 'mi', 'middlenames', 'secondname', 'namemiddle'],
  family_name: [
    'familyname', 'family', 'surname', 'surnames', 'lastname', 'last', 'lname', 'lastnm', 'familynm', 'namelast', 'sname', 'nachname', 'nom',
  ],
  full_name: ['fullname', 'name', 'names', 'patientname', 'personname', 'displayname', 'completename'],
  birth_date: [
    'birthdate', 'dateofbirth', 'dob', 'birth', 'birthday', 'bdate', 'birthdt', 'dtofbirth', 'dteofbirth', 'dobdate', 'datebirth', 'geburtsdatum',
  ],
  sex: ['sex', 'gender', 'sexcode', 'gendercode', 'administrativesex', 'birthsex', 'sexatbirth'],
  street_number: ['streetnumber', 'streetno', 'streetnum', 'housenumber', 'houseno', 'housenum', 'buildingnumber', 'streetnbr'],
  street_address: [
    'streetaddress', 'address', 'address1', 'addressline1', 'addr', 'addr1', 'street', 'streetname', 'line1', 'streetline1', 'street1', 'addressline',
    'addressstreet',
  ],
  address_line_2: ['address2', 'addressline2', 'addr2', 'line2', 'streetline2', 'street2', 'unit', 'apartment', 'apt', 'suite'],
  city: ['city', 'town', 'suburb', 'locality', 'municipality', 'cityname', 'citytown'],
  state: ['state', 'province', 'stateprovince', 'statecode', 'region', 'territory', 'stateorprovince'],
  postcode: ['postcode', 'postalcode', 'zip', 'zipcode', 'postal', 'zip5', 'plz', 'postcd', 'zippostalcode'],
  phone: [
    'phone', 'phonenumber', 'telephone', 'telephonenumber', 'tel', 'mobile', 'mobilephone', 'cell', 'cellphone', 'phoneno', 'contactnumber', 'tel1',
  ],
  email: ['email', 'emailaddress', 'mail', 'eaddress'],
  national_id: [
    'nationalid', 'ssn', 'socialsecuritynumber', 'socsecid', 'socsecno', 'socialsecurity', 'ssnumber', 'nin', 'nino', 'sin', 'nhsnumber', 'nhsno',
    'medicarenumber', 'taxid', 'tin', 'personalnumber', 'personnummer', 'nationalidentifier', 'nationalidnumber', 'citizenid',
  ],
  identifier: ['passport', 'passportnumber', 'driverslicense', 'driverlicense', 'licensenumber', 'insuranceid', 'insurancenumber', 'policynumber'],
};

/** Leading words that say whose or which value a column holds, not what kind. */
const QUALIFIERS = new Set([
  'patient', 'pt', 'pat', 'person', 'client', 'member', 'subject', 'home', 'mailing', 'postal', 'residential', 'current', 'primary',
  'secondary', 'alt', 'alternate', 'other', 'work', 'cell', 'mobile', 'contact', 'legal', 'preferred', 'src', 'source', 'billing', 'physical',
]);

const BY_SPELLING: ReadonlyMap<string, HeaderMeaning> = new Map(
  Object.entries(SPELLINGS).flatMap(([meaning, spellings]) => spellings.map((spelling) => [spelling, meaning as HeaderMeaning] as const)),
);

/** The words of a header name: split at non-alphanumerics and at camelCase humps, lower-cased. */
export function headerWords(header: string): string[] {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/**
 * What a header name says the column holds, or undefined when it says nothing
 * the engine knows. Tries the whole name, then without leading qualifiers
 * ("home_phone" -> phone, "patient_first_name" -> given_name).
 */
export function kindFromHeader(header: string): HeaderMeaning | undefined {
  const words = headerWords(header);
  for (let from = 0; from < words.length; from++) {
    const meaning = BY_SPELLING.get(words.slice(from).join(''));
    if (meaning !== undefined) return meaning;
    if (!QUALIFIERS.has(words[from])) return undefined;
  }
  return undefined;
}
