/**
 * Typed shapes of the CloudFormation template that carries the DataBrew resources (the Terraform AWS
 * provider has none: hashicorp/terraform-provider-aws#26324). Property names and allowed values follow
 * the CloudFormation resource reference for AWS::DataBrew::Dataset, ::Ruleset and ::Job; only the
 * properties Sentinel sets are declared, so a typo or a wrong value fails the type check, not a deploy.
 */
import type { DataBrewEntityType } from "../../contracts/databrew-entity-types";

/** A CloudFormation intrinsic or a literal. */
export type CfnValue<T = string> = T | CfnRef | CfnJoin;
export interface CfnRef {
  readonly Ref: string;
}
export interface CfnJoin {
  readonly "Fn::Join": readonly [string, readonly CfnValue[]];
}

export const ref = (logicalId: string): CfnRef => ({ Ref: logicalId });
export const join = (separator: string, parts: readonly CfnValue[]): CfnJoin => ({ "Fn::Join": [separator, parts] });

/** arn:<partition>:databrew:<region>:<account>:<resource type>/<name of the referenced resource>. */
export function databrewArn(resourceType: "dataset" | "ruleset" | "job", logicalId: string): CfnJoin {
  return join(":", [
    "arn",
    ref("AWS::Partition"),
    "databrew",
    ref("AWS::Region"),
    ref("AWS::AccountId"),
    join("/", [resourceType, ref(logicalId)]),
  ]);
}

export interface S3Location {
  readonly Bucket: CfnValue;
  readonly Key?: CfnValue;
}

/** AWS::DataBrew::Dataset DatasetParameter. */
export interface DatasetParameter {
  readonly Name: string;
  readonly Type: "Datetime" | "Number" | "String";
  readonly DatetimeOptions?: { readonly Format: string; readonly TimezoneOffset?: string };
  readonly CreateColumn?: boolean;
}

/** AWS::DataBrew::Dataset PathOptions. */
export interface PathOptions {
  readonly Parameters?: readonly { readonly PathParameterName: string; readonly DatasetParameter: DatasetParameter }[];
  readonly FilesLimit?: {
    readonly MaxFiles: number;
    readonly OrderedBy?: "LAST_MODIFIED_DATE";
    readonly Order?: "ASCENDING" | "DESCENDING";
  };
}

export interface DatasetProperties {
  readonly Name: string;
  readonly Format: "CSV" | "JSON" | "PARQUET" | "EXCEL" | "ORC";
  readonly FormatOptions?: { readonly Csv?: { readonly Delimiter?: string; readonly HeaderRow?: boolean } };
  readonly Input: { readonly S3InputDefinition: S3Location };
  readonly PathOptions?: PathOptions;
}

/** AWS::DataBrew::Ruleset Rule. */
export interface RulesetRule {
  /** 1-128 characters. */
  readonly Name: string;
  /** DataBrew check syntax, e.g. `AGG(MISSING_VALUES_PERCENTAGE) == :val`. */
  readonly CheckExpression: string;
  readonly SubstitutionMap?: readonly { readonly ValueReference: string; readonly Value: string }[];
  readonly ColumnSelectors?: readonly ({ readonly Name: string } | { readonly Regex: string })[];
  readonly Disabled?: boolean;
}

export interface RulesetProperties {
  readonly Name: string;
  readonly Description?: string;
  readonly TargetArn: CfnValue;
  readonly Rules: readonly RulesetRule[];
}

export interface ProfileJobProperties {
  readonly Name: string;
  readonly Type: "PROFILE";
  readonly DatasetName: CfnValue;
  readonly RoleArn: CfnValue;
  readonly OutputLocation: S3Location;
  readonly EncryptionMode: "SSE-KMS";
  readonly EncryptionKeyArn: CfnValue;
  readonly LogSubscription: "ENABLE" | "DISABLE";
  readonly MaxCapacity: number;
  readonly MaxRetries: number;
  /** Minutes. */
  readonly Timeout: number;
  readonly JobSample: { readonly Mode: "FULL_DATASET" | "CUSTOM_ROWS"; readonly Size?: number };
  readonly ProfileConfiguration: {
    /**
     * Without AllowedStatistics, DataBrew computes no statistics on columns where it detects an
     * entity, so the profile output never quotes a PII value.
     */
    readonly EntityDetectorConfiguration: { readonly EntityTypes: readonly DataBrewEntityType[] };
  };
  readonly ValidationConfigurations: readonly { readonly RulesetArn: CfnValue; readonly ValidationMode: "CHECK_ALL" }[];
}

export type TemplateResource =
  | { readonly Type: "AWS::DataBrew::Dataset"; readonly Properties: DatasetProperties }
  | { readonly Type: "AWS::DataBrew::Ruleset"; readonly Properties: RulesetProperties }
  | { readonly Type: "AWS::DataBrew::Job"; readonly Properties: ProfileJobProperties };

export interface TemplateParameter {
  readonly Type: "String";
  readonly Description: string;
  readonly AllowedPattern?: string;
}

export interface CloudFormationTemplate {
  readonly AWSTemplateFormatVersion: "2010-09-09";
  readonly Description: string;
  readonly Parameters: Readonly<Record<string, TemplateParameter>>;
  readonly Resources: Readonly<Record<string, TemplateResource>>;
  readonly Outputs: Readonly<Record<string, { readonly Description: string; readonly Value: CfnValue }>>;
}
