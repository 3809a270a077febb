/**
 * The DataBrew datasets and jobs of the deployed environment, read from the CloudFormation stacks that
 * Terraform created in the emulator (the AWS provider has no DataBrew resources, so the platform deploys
 * them as aws_cloudformation_stack; the emulator keeps the template but does not create DataBrew
 * resources). This is the local DataBrew service's view of "what is deployed".
 */
import { DescribeStacksCommand, GetTemplateCommand, type CloudFormationClient, type Stack } from "@aws-sdk/client-cloudformation";
import { resolveValue, type ResolutionContext } from "./cloudformation-values";

export interface S3Location {
  readonly Bucket: string;
  readonly Key?: string;
}

/** AWS::DataBrew::Dataset properties, resolved (the DataBrew API's own field names). */
export interface DatasetDefinition {
  readonly Name: string;
  readonly Format?: string;
  readonly FormatOptions?: { readonly Csv?: { readonly Delimiter?: string; readonly HeaderRow?: boolean } };
  readonly Input: { readonly S3InputDefinition?: S3Location };
  readonly PathOptions?: {
    readonly Parameters?: ReadonlyArray<{
      readonly PathParameterName: string;
      readonly DatasetParameter: { readonly Name: string; readonly Type: string; readonly DatetimeOptions?: { readonly Format: string } };
    }>;
    readonly FilesLimit?: { readonly MaxFiles: number; readonly OrderedBy?: string; readonly Order?: string };
  };
}

/** AWS::DataBrew::Job properties, resolved. */
export interface JobDefinition {
  readonly Name: string;
  readonly Type: "PROFILE" | "RECIPE";
  readonly DatasetName?: string;
  readonly RoleArn: string;
  readonly OutputLocation?: S3Location;
  readonly EncryptionMode?: "SSE-KMS" | "SSE-S3";
  readonly EncryptionKeyArn?: string;
  readonly LogSubscription?: "ENABLE" | "DISABLE";
  readonly MaxCapacity?: number;
  readonly MaxRetries?: number;
  readonly Timeout?: number;
  readonly JobSample?: { readonly Mode?: "FULL_DATASET" | "CUSTOM_ROWS"; readonly Size?: number };
  readonly ProfileConfiguration?: { readonly EntityDetectorConfiguration?: { readonly EntityTypes: readonly string[] } };
  readonly ValidationConfigurations?: ReadonlyArray<{ readonly RulesetArn: string; readonly ValidationMode?: string }>;
}

export interface DataBrewDefinitions {
  readonly datasets: ReadonlyMap<string, DatasetDefinition & { readonly stackName: string }>;
  readonly jobs: ReadonlyMap<string, JobDefinition & { readonly stackName: string }>;
}

export interface AccountScope {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

async function deployedStacks(cfn: CloudFormationClient): Promise<Stack[]> {
  const stacks: Stack[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new DescribeStacksCommand({ NextToken: token }));
    stacks.push(
      ...(page.Stacks ?? []).filter((stack) => stack.StackStatus?.endsWith("_COMPLETE") && !stack.StackStatus.startsWith("DELETE")),
    );
    token = page.NextToken;
  } while (token !== undefined);
  return stacks;
}

export async function loadDataBrewDefinitions(cfn: CloudFormationClient, scope: AccountScope): Promise<DataBrewDefinitions> {
  const datasets = new Map<string, DatasetDefinition & { stackName: string }>();
  const jobs = new Map<string, JobDefinition & { stackName: string }>();
  for (const stack of await deployedStacks(cfn)) {
    const stackName = stack.StackName as string;
    const body = (await cfn.send(new GetTemplateCommand({ StackName: stackName }))).TemplateBody;
    if (body === undefined) continue;
    const resources = (JSON.parse(body) as { Resources?: Record<string, TemplateResource> }).Resources ?? {};
    const brew = Object.entries(resources).filter(([, resource]) => resource.Type.startsWith("AWS::DataBrew::"));
    if (brew.length === 0) continue;
    const context: ResolutionContext = {
      ...scope,
      stackName,
      parameters: Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey as string, p.ParameterValue ?? ""])),
      // Ref of a DataBrew resource is its name; names here are literals, so they resolve without the refs
      resourceRefs: {},
    };
    const refs = Object.fromEntries(
      brew.map(([logicalId, resource]) => [logicalId, String(resolveValue(resource.Properties?.Name, context))]),
    );
    const withRefs = { ...context, resourceRefs: refs };
    for (const [, resource] of brew) {
      const properties = resolveValue(resource.Properties ?? {}, withRefs) as Record<string, unknown>;
      if (resource.Type === "AWS::DataBrew::Dataset")
        datasets.set(String(properties.Name), { ...(properties as unknown as DatasetDefinition), stackName });
      if (resource.Type === "AWS::DataBrew::Job")
        jobs.set(String(properties.Name), { ...(properties as unknown as JobDefinition), stackName });
    }
  }
  return { datasets, jobs };
}
