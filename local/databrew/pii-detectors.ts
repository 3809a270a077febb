/**
 * Local stand-ins for DataBrew's PII entity detection (EntityDetectorConfiguration.EntityTypes): one
 * predicate per entity type over a single cell value. DataBrew's own detectors are a managed model; these
 * are format checks (regular expressions plus checksums: Luhn for card numbers, ISO 7064 mod 97 for
 * IBANs), good for synthetic and well-formed data, documented as such in docs/local-pipeline.md.
 *
 * Entity types without a local check are reported as not evaluated, never as "none found".
 */
import { isIP } from "node:net";
import { DATABREW_ENTITY_TYPES, type DataBrewEntityType } from "../../contracts/databrew-entity-types";

export type EntityType = DataBrewEntityType;

/** The group USA_ALL: every type above except PERSON_NAME and DATE (DataBrew's definition). */
const USA_ALL = DATABREW_ENTITY_TYPES.filter((type) => type !== "PERSON_NAME" && type !== "DATE");

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616 IBAN check: move the country code and check digits to the end, letters to numbers, mod 97 = 1. */
export function ibanValid(value: string): boolean {
  const compact = value.replace(/ /g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char >= "A" ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of code) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
/** Separators people write card numbers with; the digits must then be 13-19 long, start 2-6 and pass Luhn. */
const CARD_CHARS = /^[0-9][0-9 -]{11,22}[0-9]$/;
/** Domestic account numbers: 8-17 digits (the ABA range) or an IBAN. */
const ACCOUNT_DIGITS = /^[0-9]{8,17}$/;
/** An international or separated number: a leading + or separators, 7-15 digits (E.164 allows 15). */
const PHONE = /^(\+[0-9]|[0-9(])[0-9 ().-]{5,20}[0-9]$/;
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/;
const SSN = /^(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}$/;
const ITIN = /^9\d{2}-(5\d|6[0-5]|7\d|8[0-8]|9[0-2]|9[4-9])-\d{4}$/;
/** ISO 8601 dates and date-times (what the profiles' timestamp columns carry). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
/** Capitalised words: "Ivan", "Anna-Lena", "O'Neil", "Mary Ann". Upper-case codes ("GBP") do not match. */
const NAME = /^\p{Lu}\p{Ll}+(?:['’-]\p{Lu}?\p{Ll}+)*(?: \p{Lu}\p{Ll}+(?:['’-]\p{Lu}?\p{Ll}+)*){0,3}$/u;

function digitsOf(value: string): string {
  return value.replace(/[ -]/g, "");
}

export const ENTITY_DETECTORS: Readonly<Partial<Record<EntityType, (value: string) => boolean>>> = {
  EMAIL: (value) => EMAIL.test(value),
  CREDIT_CARD: (value) => {
    if (!CARD_CHARS.test(value)) return false;
    const digits = digitsOf(value);
    return digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhnValid(digits);
  },
  BANK_ACCOUNT: (value) => ACCOUNT_DIGITS.test(value) || ibanValid(value),
  PHONE_NUMBER: (value) => {
    if (!PHONE.test(value) || /^[0-9]+$/.test(value)) return false;
    const digits = value.replace(/\D/g, "").length;
    return digits >= 7 && digits <= 15;
  },
  IP_ADDRESS: (value) => isIP(value) !== 0,
  MAC_ADDRESS: (value) => MAC.test(value),
  USA_SSN: (value) => SSN.test(value),
  USA_ITIN: (value) => ITIN.test(value),
  DATE: (value) => ISO_DATE.test(value) && !Number.isNaN(Date.parse(value.replace(" ", "T"))),
  PERSON_NAME: (value) => NAME.test(value),
};

/** The requested entity types with USA_ALL expanded, split into what can be checked here and what cannot. */
export function resolveEntityTypes(requested: readonly string[]): { readonly checked: EntityType[]; readonly notEvaluated: string[] } {
  const expanded = new Set<string>(requested.flatMap((type) => (type === "USA_ALL" ? USA_ALL : [type])));
  const checked: EntityType[] = [];
  const notEvaluated: string[] = [];
  for (const type of expanded) {
    if (type in ENTITY_DETECTORS) checked.push(type as EntityType);
    else notEvaluated.push(type);
  }
  return { checked, notEvaluated };
}
