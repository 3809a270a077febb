/**
 * DataBrew PII profiling of every dataset profile's landing files, deployed as one
 * aws_cloudformation_stack per profile (dataset, ruleset and PROFILE job; see pii-profile-template.ts),
 * plus what Terraform can manage itself: the jobs' least-privilege role and their encrypted log groups
 * (DataBrew writes to /aws-glue-databrew/jobs/<job name>; created here so they have a key and a
 * retention before the first run).
 *
 * Names are built from the environment prefix and the profile, so the trigger and lineage handlers,
 * the orchestration rules and the local pipeline know every job name and ARN before apply.
 */
import { CloudformationStack } from "@cdktf/provider-aws/lib/cloudformation-stack";
import { Construct } from "constructs";
import type { PlatformKey } from "../encryption/platform-key";
import { regionalArn, type EnvironmentScopeProps } from "../iam/arns";
import type { EncryptedLogGroup } from "../logging/encrypted-log-group";
import type { LogGroupFactory } from "../logging/log-group-factory";
import type { DataBucket } from "../storage/data-bucket";
import { RAW_PREFIXES, type DataLayout } from "../../contracts/data-layout";
import type { DatasetProfile } from "../../contracts/dataset-profiles";
import { ExecutionRole } from "../glue/execution-role";
import { piiProfileTemplate, TEMPLATE_PARAMETERS, type PiiProfileNames, type PiiProfilingSettings } from "./pii-profile-template";

/** DataBrew's log group of a job (fixed by the service). */
export function databrewLogGroupName(jobName: string): string {
  return `/aws-glue-databrew/jobs/${jobName}`;
}

/** The names of one profile's DataBrew resources in an environment. */
export function piiProfileNames(namePrefix: string, profile: string): PiiProfileNames {
  return {
    datasetName: `${namePrefix}-${profile}-landing`,
    rulesetName: `${namePrefix}-${profile}-landing-rules`,
    jobName: piiProfileJobNameTemplate(namePrefix).replaceAll("{profile}", profile),
  };
}

/** The profile job name with a `{profile}` placeholder: the trigger's DATABREW_JOB_NAME_TEMPLATE. */
export function piiProfileJobNameTemplate(namePrefix: string): string {
  return `${namePrefix}-{profile}-pii-profile`;
}

export interface PiiProfilingProps extends EnvironmentScopeProps {
  readonly profiles: readonly DatasetProfile[];
  readonly layout: DataLayout;
  readonly rawBucket: DataBucket;
  /** Encrypts the profile output (the data key, as for all data tiers). */
  readonly dataKey: PlatformKey;
  readonly logGroups: LogGroupFactory;
  readonly logsKey: PlatformKey;
  readonly settings: PiiProfilingSettings;
  /** SNS topic that hears the stacks' events (a failed DataBrew update is visible there, not only in a Terraform log). */
  readonly stackEventsTopicArn: string;
}

export interface PiiProfileJob {
  readonly profile: string;
  readonly names: PiiProfileNames;
  readonly jobArn: string;
  readonly datasetArn: string;
  /** s3:// URI of the prefix the job writes its results to. */
  readonly outputUri: string;
  readonly logGroup: EncryptedLogGroup;
  readonly stackName: string;
}

export class PiiProfiling extends Construct {
  readonly role: ExecutionRole;
  readonly jobNameTemplate: string;
  /** One per dataset profile, by profile name. */
  readonly jobs: ReadonlyMap<string, PiiProfileJob>;

  constructor(scope: Construct, id: string, props: PiiProfilingProps) {
    super(scope, id);
    const { layout, namePrefix, rawBucket } = props;
    this.jobNameTemplate = piiProfileJobNameTemplate(namePrefix);
    this.role = new ExecutionRole(this, "role", {
      roleName: `${namePrefix}-databrew-pii-profile`,
      description: "Runs the DataBrew PII profile jobs: reads landing files, writes profile results, logs",
      servicePrincipal: "databrew.amazonaws.com",
    });
    rawBucket.grantRead(this.role.policy, RAW_PREFIXES.landing);
    rawBucket.grantWrite(this.role.policy, RAW_PREFIXES.piiProfiles);

    const jobs = new Map<string, PiiProfileJob>();
    for (const profile of props.profiles) {
      const names = piiProfileNames(namePrefix, profile.name);
      const logGroup = props.logGroups.create({
        purpose: `databrew-${profile.name}-pii-profile`,
        logGroupName: databrewLogGroupName(names.jobName),
        key: props.logsKey,
      });
      logGroup.grantWrite(this.role.policy);
      const template = piiProfileTemplate({
        profile,
        names,
        settings: props.settings,
        landingPrefix: layout.landingPrefixOf(profile.name),
        outputPrefix: layout.piiProfilePrefixOf(profile.name),
      });
      const stackName = `${namePrefix}-${profile.name}-pii-profiling`;
      new CloudformationStack(this, `stack-${profile.name}`, {
        name: stackName,
        templateBody: JSON.stringify(template),
        parameters: {
          [TEMPLATE_PARAMETERS.role]: this.role.roleArn,
          [TEMPLATE_PARAMETERS.key]: props.dataKey.keyArn,
          // The bucket's id (its name) as a reference, so Terraform creates the bucket first.
          [TEMPLATE_PARAMETERS.rawBucket]: rawBucket.bucketId,
        },
        onFailure: "ROLLBACK",
        timeoutInMinutes: 30,
        notificationArns: [props.stackEventsTopicArn],
      });
      jobs.set(profile.name, {
        profile: profile.name,
        names,
        jobArn: regionalArn(props.account, "databrew", `job/${names.jobName}`),
        datasetArn: regionalArn(props.account, "databrew", `dataset/${names.datasetName}`),
        outputUri: `s3://${layout.buckets.raw}/${layout.piiProfilePrefixOf(profile.name)}`,
        logGroup,
        stackName,
      });
    }
    this.jobs = jobs;

    // DataBrew creates the job's log group if it is missing; allowing the call on exactly the groups
    // created above means it can only find them there, never make an unencrypted one elsewhere.
    this.role.policy.addStatement({
      sid: "OpenProfileJobLogGroups",
      actions: ["logs:CreateLogGroup"],
      resources: [...jobs.values()].map((job) => job.logGroup.logGroupArn),
    });
  }
}
