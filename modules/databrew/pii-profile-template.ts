/**
 * The CloudFormation template of one dataset profile's PII profiling: a DataBrew dataset over the
 * profile's landing prefix, the ruleset of landing rules on it, and a PROFILE job that detects the
 * profile's PII entity types, validates the ruleset and writes its results, SSE-KMS encrypted, to the
 * profile's pii-profiles prefix in the raw bucket (the results describe raw data, so they stay in the
 * raw tier). Environment-specific values (role, key, bucket) are stack parameters; the template is
 * built from typed objects and serialised with JSON.stringify.
 */
import { LANDING_PARTITION_COLUMN } from "../../contracts/data-layout";
import type { DatasetProfile } from "../../contracts/dataset-profiles";
import { databrewArn, ref, type CloudFormationTemplate } from "./cloudformation-template";
import { landingRules } from "./landing-rules";
import { entityTypesFor } from "./pii-entities";

export interface PiiProfilingSettings {
  /** DataBrew nodes (MaxCapacity) of each profile job run. */
  readonly nodeCount: number;
  readonly timeoutMinutes: number;
  readonly maxRetries: number;
  /** Rows sampled from the selected landing files. */
  readonly sampleRows: number;
  /** Most recent landing files a run profiles. */
  readonly maxFiles: number;
}

export interface PiiProfileNames {
  readonly datasetName: string;
  readonly rulesetName: string;
  readonly jobName: string;
}

export interface PiiProfileTemplateInput {
  readonly profile: DatasetProfile;
  readonly names: PiiProfileNames;
  readonly settings: PiiProfilingSettings;
  /** Keys in the raw bucket, e.g. landing/card-transactions/ and pii-profiles/card-transactions/. */
  readonly landingPrefix: string;
  readonly outputPrefix: string;
}

/** The stack parameters the template expects (values come from Terraform). */
export const TEMPLATE_PARAMETERS = {
  role: "ProfileJobRoleArn",
  key: "DataKeyArn",
  rawBucket: "RawBucketName",
} as const;

export function piiProfileTemplate(input: PiiProfileTemplateInput): CloudFormationTemplate {
  const { profile, names, settings } = input;
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `Sentinel: DataBrew PII profiling of the ${profile.name} landing files`,
    Parameters: {
      [TEMPLATE_PARAMETERS.role]: {
        Type: "String",
        Description: "Role the profile job runs as",
        AllowedPattern: "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$",
      },
      [TEMPLATE_PARAMETERS.key]: {
        Type: "String",
        Description: "KMS key that encrypts the profile output",
        AllowedPattern: "^arn:aws[a-z-]*:kms:.+$",
      },
      [TEMPLATE_PARAMETERS.rawBucket]: { Type: "String", Description: "Raw bucket holding the landing files and the profile output" },
    },
    Resources: {
      LandingDataset: {
        Type: "AWS::DataBrew::Dataset",
        Properties: {
          Name: names.datasetName,
          Format: "CSV",
          FormatOptions: { Csv: { Delimiter: profile.delimiter, HeaderRow: true } },
          Input: {
            S3InputDefinition: {
              Bucket: ref(TEMPLATE_PARAMETERS.rawBucket),
              Key: `${input.landingPrefix}${LANDING_PARTITION_COLUMN}={${LANDING_PARTITION_COLUMN}}/`,
            },
          },
          PathOptions: {
            Parameters: [
              {
                PathParameterName: LANDING_PARTITION_COLUMN,
                DatasetParameter: {
                  Name: LANDING_PARTITION_COLUMN,
                  Type: "Datetime",
                  DatetimeOptions: { Format: "yyyy-MM-dd" },
                  CreateColumn: false,
                },
              },
            ],
            FilesLimit: { MaxFiles: settings.maxFiles, OrderedBy: "LAST_MODIFIED_DATE", Order: "DESCENDING" },
          },
        },
      },
      LandingRuleset: {
        Type: "AWS::DataBrew::Ruleset",
        Properties: {
          Name: names.rulesetName,
          Description: `Structural expectations of the ${profile.name} profile, measured on its landing files`,
          TargetArn: databrewArn("dataset", "LandingDataset"),
          Rules: landingRules(profile),
        },
      },
      PiiProfileJob: {
        Type: "AWS::DataBrew::Job",
        Properties: {
          Name: names.jobName,
          Type: "PROFILE",
          DatasetName: ref("LandingDataset"),
          RoleArn: ref(TEMPLATE_PARAMETERS.role),
          OutputLocation: { Bucket: ref(TEMPLATE_PARAMETERS.rawBucket), Key: input.outputPrefix },
          EncryptionMode: "SSE-KMS",
          EncryptionKeyArn: ref(TEMPLATE_PARAMETERS.key),
          LogSubscription: "ENABLE",
          MaxCapacity: settings.nodeCount,
          MaxRetries: settings.maxRetries,
          Timeout: settings.timeoutMinutes,
          JobSample: { Mode: "CUSTOM_ROWS", Size: settings.sampleRows },
          ProfileConfiguration: { EntityDetectorConfiguration: { EntityTypes: entityTypesFor(profile) } },
          ValidationConfigurations: [{ RulesetArn: databrewArn("ruleset", "LandingRuleset"), ValidationMode: "CHECK_ALL" }],
        },
      },
    },
    Outputs: {
      DatasetName: { Description: "DataBrew dataset over the landing prefix", Value: ref("LandingDataset") },
      RulesetName: { Description: "Landing rules the profile job validates", Value: ref("LandingRuleset") },
      JobName: { Description: "DataBrew PII profile job", Value: ref("PiiProfileJob") },
    },
  };
}
