/**
 * The entity types DataBrew's PII detection accepts (API reference, EntityDetectorConfiguration
 * EntityTypes). The DataBrew profile jobs request them (modules/databrew) and the local DataBrew
 * player detects them (local/databrew/pii-detectors.ts): one list for both.
 */
export const DATABREW_ENTITY_TYPES = [
  "USA_SSN",
  "EMAIL",
  "USA_ITIN",
  "USA_PASSPORT_NUMBER",
  "PHONE_NUMBER",
  "USA_DRIVING_LICENSE",
  "BANK_ACCOUNT",
  "CREDIT_CARD",
  "IP_ADDRESS",
  "MAC_ADDRESS",
  "USA_DEA_NUMBER",
  "USA_HCPCS_CODE",
  "USA_NATIONAL_PROVIDER_IDENTIFIER",
  "USA_NATIONAL_DRUG_CODE",
  "USA_HEALTH_INSURANCE_CLAIM_NUMBER",
  "USA_MEDICARE_BENEFICIARY_IDENTIFIER",
  "USA_CPT_CODE",
  "PERSON_NAME",
  "DATE",
] as const;
export type DataBrewEntityType = (typeof DATABREW_ENTITY_TYPES)[number];
