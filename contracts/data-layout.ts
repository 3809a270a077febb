/**
 * Where the pipeline's objects live: one prefix per purpose in each bucket, shared by the Glue job's
 * arguments, its role, the DataBrew dataset and the catalog tables, and exposed to the handlers and
 * the local pipeline as s3:// URIs and URI templates (placeholders `{profile}`, `{run_date}`,
 * `{run_id}`: location-placeholders.ts); which job argument carries each location is in run-locations.ts.
 *
 * Tiers follow sensitivity: everything that holds raw PII (landing files, quarantined rows, which are
 * kept as read, and DataBrew's PII profiles) stays in the raw bucket; the processed bucket holds only
 * tokenized output, so a grant on it can never reach raw values.
 */

import type { LocationTemplates } from "./run-locations";

export type { LocationTemplates } from "./run-locations";

/** Prefixes (relative keys ending in `/`) of each bucket. */
export const RAW_PREFIXES = {
  /** `landing/<profile>/run_date=<YYYY-MM-DD>/<file>.csv`: raw CSV as delivered. */
  landing: "landing/",
  /** `quarantine/<profile>/ingestion_date=<date>/`: rejected rows with reason codes (raw values). */
  quarantine: "quarantine/",
  /** `pii-profiles/<profile>/`: DataBrew profile and PII-detection results of the landing files. */
  piiProfiles: "pii-profiles/",
} as const;

export const PROCESSED_PREFIXES = {
  /** `processed/<profile>/ingestion_date=<date>/`: tokenized, enriched Parquet. */
  processed: "processed/",
} as const;

export const ARTIFACT_PREFIXES = {
  /** The job's entry script. */
  scripts: "glue/scripts/",
  /** The transformation package wheel. */
  python: "glue/python/",
  /** Wheels of the package's third-party dependencies (the VPC has no package index). */
  wheels: "glue/wheels/",
  /** The JVM tokenization library (glue-jobs/jvm), on the job's classpath through --extra-jars. */
  jars: "glue/jars/",
  /** Glue's --TempDir. */
  temp: "glue/temp/",
  /** `config/profiles/<profile>.json`: the job config of each dataset profile. */
  profiles: "config/profiles/",
  /** `reference/mcc-mapping.csv`: the merchant category mapping. */
  reference: "reference/",
  /** `keys/<profile>/data-key.json`: KMS-wrapped tokenization keys (no plaintext ever). */
  keys: "keys/",
  /** `state/<profile>/`: fitted bin edges, category codes, model and the input bookmark. */
  state: "state/",
} as const;

/**
 * What the deployment pipeline publishes and the Glue job only reads: its code, configuration, reference data and
 * wrapped keys. The job's role reads exactly these prefixes and the artifacts bucket lets only the deployer principals
 * write them, so a prefix the job trusts cannot be left writable by anyone else.
 */
export const DEPLOYED_ARTIFACT_PREFIXES = [
  ARTIFACT_PREFIXES.scripts,
  ARTIFACT_PREFIXES.python,
  ARTIFACT_PREFIXES.wheels,
  ARTIFACT_PREFIXES.jars,
  ARTIFACT_PREFIXES.profiles,
  ARTIFACT_PREFIXES.reference,
  ARTIFACT_PREFIXES.keys,
] as const;

/** What the Glue job writes in the artifacts bucket: its fitted state and temporary files; the bucket lets only the job's role write them. */
export const JOB_WRITTEN_ARTIFACT_PREFIXES = [ARTIFACT_PREFIXES.state, ARTIFACT_PREFIXES.temp] as const;

export const LINEAGE_AUDIT_PREFIXES = {
  /** `run-metrics/<profile>/<run_date>/<run_id>/run-metrics.json`, written once per job run. */
  runMetrics: "run-metrics/",
  /** OpenLineage records, written by the lineage handler (handlers/lineage/lineage-store.ts). */
  lineage: "lineage/",
  /** `audit-chain/<run id>/<seq>.json`: the audit chain index, written once per event (handlers/audit/chain-index.ts). */
  auditChain: "audit-chain/",
} as const;

/** The partition column the job writes (glue-jobs/sentinel_etl/output.py PARTITION_COLUMN). */
export const PARTITION_COLUMN = "ingestion_date";
/**
 * The landing layout's date folder: `landing/<profile>/run_date=<YYYY-MM-DD>/`. The trigger's input prefix template,
 * the raw catalog tables' partition column and the DataBrew dataset's path parameter all read it from here.
 */
export const LANDING_PARTITION_COLUMN = "run_date";

export const MCC_MAPPING_FILE = "mcc-mapping.csv";
export const WRAPPED_KEY_FILE = "data-key.json";

export interface DataLayoutBuckets {
  readonly raw: string;
  readonly processed: string;
  readonly artifacts: string;
  readonly lineageAudit: string;
}

/** S3 URIs and URI templates of one environment, from its bucket names. */
export class DataLayout {
  constructor(readonly buckets: DataLayoutBuckets) {}

  landingPrefixOf(profile: string): string {
    return `${RAW_PREFIXES.landing}${profile}/`;
  }

  quarantinePrefixOf(profile: string): string {
    return `${RAW_PREFIXES.quarantine}${profile}/`;
  }

  piiProfilePrefixOf(profile: string): string {
    return `${RAW_PREFIXES.piiProfiles}${profile}/`;
  }

  processedPrefixOf(profile: string): string {
    return `${PROCESSED_PREFIXES.processed}${profile}/`;
  }

  profileConfigKeyOf(profile: string): string {
    return `${ARTIFACT_PREFIXES.profiles}${profile}.json`;
  }

  get mappingKey(): string {
    return `${ARTIFACT_PREFIXES.reference}${MCC_MAPPING_FILE}`;
  }

  /** URI templates in the trigger handler's placeholder syntax. */
  get templates(): LocationTemplates {
    const { raw, processed, artifacts, lineageAudit } = this.buckets;
    return {
      inputPrefix: `s3://${raw}/${RAW_PREFIXES.landing}{profile}/${LANDING_PARTITION_COLUMN}={run_date}/`,
      configLocation: `s3://${artifacts}/${ARTIFACT_PREFIXES.profiles}{profile}.json`,
      outputLocation: `s3://${processed}/${PROCESSED_PREFIXES.processed}{profile}/`,
      quarantineLocation: `s3://${raw}/${RAW_PREFIXES.quarantine}{profile}/`,
      metricsLocation: `s3://${lineageAudit}/${LINEAGE_AUDIT_PREFIXES.runMetrics}{profile}/{run_date}/{run_id}/`,
      stateLocation: `s3://${artifacts}/${ARTIFACT_PREFIXES.state}{profile}/`,
      mappingLocation: `s3://${artifacts}/${this.mappingKey}`,
      keyLocation: `s3://${artifacts}/${ARTIFACT_PREFIXES.keys}{profile}/${WRAPPED_KEY_FILE}`,
    };
  }
}
