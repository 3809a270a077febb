/**
 * The AWS services the private network reaches through interface endpoints (only those the platform
 * calls: no Secrets Manager or SSM, which nothing uses), and what each
 * endpoint's policy lets this account's principals do through it. Actions are the platform's
 * (Glue job, handlers, DataBrew trigger, audit writer); resources are confined to this account
 * and region. IAM still decides per principal: an endpoint policy only narrows further.
 */
import { globalArn, regionalArn, type AccountScope } from "../iam/arns";

export interface EndpointGrant {
  /** Statement id fragment, e.g. GlueJobsAndCatalog. */
  readonly name: string;
  readonly actions: readonly string[];
  readonly resources: (account: AccountScope) => readonly string[];
}

export interface InterfaceEndpointService {
  /** Service name suffix: com.amazonaws.<region>.<service>. */
  readonly service: string;
  readonly grants: readonly EndpointGrant[];
}

export const INTERFACE_ENDPOINT_SERVICES: readonly InterfaceEndpointService[] = [
  {
    service: "glue",
    grants: [
      {
        name: "GlueJobsAndCatalog",
        actions: [
          "glue:BatchCreatePartition",
          "glue:BatchGetPartition",
          "glue:BatchStopJobRun",
          "glue:CreatePartition",
          "glue:CreateTable",
          "glue:GetConnection",
          "glue:GetDatabase",
          "glue:GetDatabases",
          "glue:GetJob",
          "glue:GetJobRun",
          "glue:GetJobRuns",
          "glue:GetPartition",
          "glue:GetPartitions",
          "glue:GetTable",
          "glue:GetTables",
          "glue:StartJobRun",
          "glue:UpdatePartition",
          "glue:UpdateTable",
        ],
        resources: (account) => [regionalArn(account, "glue", "*")],
      },
      {
        // Both actions have no resource type in the Service Authorization Reference, so IAM evaluates
        // them against "*": a statement naming ARNs would deny bookmarks and the security configuration.
        name: "GlueBookmarksAndSecurityConfiguration",
        actions: ["glue:GetJobBookmark", "glue:GetSecurityConfiguration"],
        resources: () => ["*"],
      },
    ],
  },
  {
    service: "databrew",
    grants: [
      {
        name: "DataBrewProfileJobs",
        actions: [
          "databrew:DescribeDataset",
          "databrew:DescribeJob",
          "databrew:DescribeJobRun",
          "databrew:DescribeRuleset",
          "databrew:ListJobRuns",
          "databrew:StartJobRun",
        ],
        resources: (account) => [regionalArn(account, "databrew", "*")],
      },
    ],
  },
  {
    service: "logs",
    grants: [
      {
        name: "AccountLogGroups",
        actions: [
          "logs:CreateLogStream",
          "logs:DescribeLogGroups",
          "logs:DescribeLogStreams",
          "logs:FilterLogEvents",
          "logs:GetLogEvents",
          "logs:PutLogEvents",
        ],
        resources: (account) => [regionalArn(account, "logs", "log-group:*")],
      },
    ],
  },
  {
    service: "kms",
    grants: [
      {
        name: "AccountKeys",
        actions: [
          "kms:Decrypt",
          "kms:DescribeKey",
          "kms:Encrypt",
          "kms:GenerateDataKey",
          "kms:GenerateDataKeyWithoutPlaintext",
          "kms:ReEncryptFrom",
          "kms:ReEncryptTo",
        ],
        resources: (account) => [regionalArn(account, "kms", "key/*")],
      },
    ],
  },
  {
    service: "sts",
    grants: [
      { name: "CallerIdentity", actions: ["sts:GetCallerIdentity"], resources: () => ["*"] },
      { name: "AccountRoles", actions: ["sts:AssumeRole"], resources: (account) => [globalArn(account, "iam", "role/*")] },
    ],
  },
  {
    service: "monitoring",
    grants: [{ name: "Metrics", actions: ["cloudwatch:PutMetricData"], resources: () => ["*"] }],
  },
  {
    service: "events",
    grants: [
      { name: "AccountEventBuses", actions: ["events:PutEvents"], resources: (account) => [regionalArn(account, "events", "event-bus/*")] },
    ],
  },
];

/**
 * What the S3 gateway endpoint allows on the platform's buckets. Glue needs nothing else: the job
 * script, wheels, --TempDir and Spark event logs all live in the artifacts bucket.
 */
export const S3_ENDPOINT_ACTIONS: readonly string[] = [
  "s3:AbortMultipartUpload",
  "s3:DeleteObject",
  "s3:GetBucketLocation",
  "s3:GetObject",
  "s3:GetObjectAttributes",
  "s3:GetObjectRetention",
  "s3:GetObjectVersion",
  "s3:ListBucket",
  "s3:ListBucketMultipartUploads",
  "s3:ListMultipartUploadParts",
  "s3:PutObject",
];
