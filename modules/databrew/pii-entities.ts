/**
 * Which DataBrew entity types the PII profile job of a dataset profile detects. The profiles list
 * their PII as the columns they tokenize; each such column is classified here once, by name, with the
 * DataBrew entity types that describe its values, or with none and the reason. A profile that
 * tokenizes a column not classified here fails synth, so no PII column goes unreviewed.
 *
 * Every job also sweeps for the identifiers that must never arrive undeclared in any dataset, so a
 * profile without PII (BAF) is still checked for PII that slipped into its raw files.
 */
import type { DatasetProfile } from "../../contracts/dataset-profiles";
import type { DataBrewEntityType } from "../../contracts/databrew-entity-types";

export interface PiiColumnClassification {
  readonly entityTypes: readonly DataBrewEntityType[];
  /** Required when entityTypes is empty: why no DataBrew entity type fits. */
  readonly reason?: string;
}

export const PII_COLUMN_CLASSIFICATION: Readonly<Record<string, PiiColumnClassification>> = {
  email: { entityTypes: ["EMAIL"] },
  first_name: { entityTypes: ["PERSON_NAME"] },
  last_name: { entityTypes: ["PERSON_NAME"] },
  // Card PANs and bank account numbers share the 12-19 digit format the profile accepts.
  account_number: { entityTypes: ["BANK_ACCOUNT", "CREDIT_CARD"] },
  customer_id: { entityTypes: [], reason: "an issuer-internal customer key; DataBrew has no entity type for internal identifiers" },
  device_id: { entityTypes: [], reason: "a device fingerprint; DataBrew has no entity type for it (MAC_ADDRESS is a different format)" },
};

/** Detected in every profile's landing files, declared or not. */
export const UNDECLARED_PII_SWEEP: readonly DataBrewEntityType[] = [
  "EMAIL",
  "PHONE_NUMBER",
  "CREDIT_CARD",
  "BANK_ACCOUNT",
  "IP_ADDRESS",
  "USA_SSN",
];

/** The entity types the PII profile job of `profile` detects: its declared PII and the sweep. */
export function entityTypesFor(profile: DatasetProfile, classification = PII_COLUMN_CLASSIFICATION): DataBrewEntityType[] {
  const types = new Set<DataBrewEntityType>();
  for (const column of profile.tokenized.keys()) {
    const entry = classification[column];
    if (entry === undefined) {
      throw new Error(
        `profile ${profile.name} tokenizes column "${column}", which modules/databrew/pii-entities.ts does not classify: add its DataBrew entity types (or none, with the reason)`,
      );
    }
    if (entry.entityTypes.length === 0 && (entry.reason ?? "").trim() === "") {
      throw new Error(`PII column "${column}" is classified with no DataBrew entity type and no reason`);
    }
    for (const type of entry.entityTypes) types.add(type);
  }
  for (const type of UNDECLARED_PII_SWEEP) types.add(type);
  return [...types].sort();
}
