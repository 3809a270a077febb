/**
 * An Athena workgroup for one kind of consumer, with its configuration enforced: queries cannot choose
 * another result location or skip encryption, every query's results go to this workgroup's own prefix of
 * the KMS-encrypted, access-logged, TLS-only query results bucket, and a query that would scan more than
 * the cutoff is cancelled. `grantQueries` lets a role run queries in this workgroup only and read and write
 * its results there, decrypting them only through S3 within that bucket.
 *
 * One workgroup per consumer role (data science, audit) rather than one shared: Athena reads results
 * with the caller's own S3 permissions, so with one enforced result location each role could read the
 * other's query results; a prefix per workgroup keeps them apart.
 */
import { AthenaWorkgroup as AthenaWorkgroupResource } from "@cdktf/provider-aws/lib/athena-workgroup";
import { Construct } from "constructs";
import { regionalArn, type AccountScope } from "../iam/arns";
import type { PolicyDocument } from "../iam/policy-document";
import { sidFragment } from "../iam/sid";
import type { QueryResultsBucket } from "./query-results-bucket";

/** Where Athena results live in the results bucket: `athena-results/<workgroup name>/`. */
export const ATHENA_RESULTS_PREFIX = "athena-results/";

/** Default cancel threshold: 10 GiB scanned by one query. */
export const DEFAULT_BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;

/** What running and reading queries needs, on the workgroup (Athena authorizes these per workgroup). */
export const QUERY_ACTIONS = [
  "athena:StartQueryExecution",
  "athena:StopQueryExecution",
  "athena:GetQueryExecution",
  "athena:BatchGetQueryExecution",
  "athena:ListQueryExecutions",
  "athena:GetQueryResults",
  "athena:GetQueryResultsStream",
  "athena:GetWorkGroup",
] as const;

export interface AthenaWorkgroupProps {
  /** Workgroup name, e.g. sentinel-prod-audit. */
  readonly name: string;
  readonly description: string;
  readonly account: AccountScope;
  /** The bucket that holds query results (its platform key encrypts them). */
  readonly resultsBucket: QueryResultsBucket;
  /**
   * Queries scanning more are cancelled.
   * @default DEFAULT_BYTES_SCANNED_CUTOFF (10 GiB)
   */
  readonly bytesScannedCutoffPerQuery?: number;
}

export class AthenaWorkgroup extends Construct {
  readonly name: string;
  readonly arn: string;
  /** `s3://<bucket>/athena-results/<name>/` */
  readonly resultLocation: string;
  private readonly resultsPrefix: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: AthenaWorkgroupProps,
  ) {
    super(scope, id);
    const cutoff = props.bytesScannedCutoffPerQuery ?? DEFAULT_BYTES_SCANNED_CUTOFF;
    // Athena's own lower bound is 10 MB
    if (!Number.isInteger(cutoff) || cutoff < 10_000_000)
      throw new Error(`workgroup ${props.name}: bytesScannedCutoffPerQuery must be an integer of at least 10000000, got ${cutoff}`);
    this.name = props.name;
    this.resultsPrefix = `${ATHENA_RESULTS_PREFIX}${props.name}/`;
    this.resultLocation = `s3://${props.resultsBucket.bucketName}/${this.resultsPrefix}`;
    const workgroup = new AthenaWorkgroupResource(this, "workgroup", {
      name: props.name,
      description: props.description,
      state: "ENABLED",
      forceDestroy: false,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: cutoff,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: this.resultLocation,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: props.resultsBucket.key.keyArn },
          expectedBucketOwner: props.account.accountId,
          aclConfiguration: { s3AclOption: "BUCKET_OWNER_FULL_CONTROL" },
        },
      },
    });
    this.arn = workgroup.arn;
  }

  /** Run queries in this workgroup (and no other) and read and write its results. */
  grantQueries(policy: PolicyDocument): void {
    const { account, resultsBucket } = this.props;
    const label = sidFragment(`athena-${this.name}`);
    policy.addStatement({
      sid: `Query${label}`,
      actions: [...QUERY_ACTIONS],
      resources: [regionalArn(account, "athena", `workgroup/${this.name}`)],
    });
    policy
      .addStatement({
        sid: `Read${label}Results`,
        actions: ["s3:GetObject", "s3:GetObjectVersion"],
        resources: [`${resultsBucket.bucketArn}/${this.resultsPrefix}*`],
      })
      .addStatement({
        sid: `List${label}Results`,
        actions: ["s3:ListBucket"],
        resources: [resultsBucket.bucketArn],
        conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${this.resultsPrefix}*`] }],
      })
      .addStatement({
        sid: `Write${label}Results`,
        actions: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        resources: [`${resultsBucket.bucketArn}/${this.resultsPrefix}*`],
      })
      .addStatement({ sid: `Locate${label}ResultsBucket`, actions: ["s3:GetBucketLocation"], resources: [resultsBucket.bucketArn] })
      .addStatement({
        sid: `Encrypt${label}Results`,
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: [resultsBucket.key.keyArn],
        conditions: [
          { test: "StringEquals", variable: "kms:ViaService", values: [`s3.${account.region}.amazonaws.com`] },
          {
            test: "StringLike",
            variable: "kms:EncryptionContext:aws:s3:arn",
            values: [resultsBucket.bucketArn, `${resultsBucket.bucketArn}/${this.resultsPrefix}*`],
          },
        ],
      });
  }
}
