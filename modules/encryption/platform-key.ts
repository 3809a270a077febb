/**
 * A customer-managed KMS key with yearly rotation, a 30-day deletion window, an alias per
 * environment and a key policy that grants nothing by wildcard except the account root's
 * administration statement. Callers get access through identity policies (grant helpers).
 */
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { accountRootArn, type AccountScope } from "../iam/arns";
import { PolicyDocument, type PolicyCondition } from "../iam/policy-document";

export interface PlatformKeyProps {
  /** Alias without the `alias/` prefix, e.g. sentinel-dev-data. */
  readonly alias: string;
  /** Pascal-case label used in statement ids, e.g. DataKey. */
  readonly label: string;
  readonly description: string;
  readonly scope: AccountScope;
  /**
   * Log groups (ARN pattern) whose data CloudWatch Logs may encrypt with this key. The key policy
   * lets the Logs service use the key only under an encryption context naming such a log group.
   * Default: the Logs service cannot use the key.
   */
  readonly logGroupArnPattern?: string;
  /** Default 30, the longest window: time to notice and cancel a mistaken deletion. */
  readonly deletionWindowInDays?: number;
  /** Default 365. */
  readonly rotationPeriodInDays?: number;
}

/** What CloudWatch Logs does with a key when it encrypts a log group (AWS's documented set). */
const LOGS_SERVICE_KEY_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:DescribeKey",
];

export class PlatformKey extends Construct {
  readonly keyArn: string;
  readonly keyId: string;
  /** e.g. alias/sentinel-dev-data. */
  readonly aliasName: string;
  /** The key policy; modules that need a service to use the key add statements to it. */
  readonly keyPolicy: PolicyDocument;
  private readonly label: string;

  constructor(scope: Construct, id: string, props: PlatformKeyProps) {
    super(scope, id);
    this.label = props.label;
    this.keyPolicy = PolicyDocument.key(`${props.alias}-key-policy`, accountRootArn(props.scope));
    if (props.logGroupArnPattern !== undefined) {
      this.keyPolicy.addStatement({
        sid: "CloudWatchLogsEncryptsAccountLogGroups",
        principals: [{ type: "Service", identifiers: [`logs.${props.scope.region}.amazonaws.com`] }],
        actions: LOGS_SERVICE_KEY_ACTIONS,
        resources: ["*"],
        conditions: [
          { test: "ArnLike", variable: "kms:EncryptionContext:aws:logs:arn", values: [props.logGroupArnPattern] },
        ],
      });
    }
    const key = new KmsKey(this, "key", {
      description: props.description,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      rotationPeriodInDays: props.rotationPeriodInDays ?? 365,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      isEnabled: true,
      multiRegion: false,
      policy: this.keyPolicy.toJson(),
    });
    const alias = new KmsAlias(this, "alias", { name: `alias/${props.alias}`, targetKeyId: key.keyId });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = alias.name;
  }

  /** Decrypt data encrypted under this key (reading SSE-KMS objects). */
  grantDecrypt(policy: PolicyDocument, viaService?: string): void {
    this.grant(policy, "Decrypt", ["kms:Decrypt", "kms:DescribeKey"], viaService);
  }

  /** Encrypt new data under this key (writing SSE-KMS objects: S3 asks KMS for a data key). */
  grantEncrypt(policy: PolicyDocument, viaService?: string): void {
    this.grant(policy, "Encrypt", ["kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"], viaService);
  }

  /** Both directions, including re-encryption (e.g. copying objects between keys). */
  grantEncryptDecrypt(policy: PolicyDocument, viaService?: string): void {
    this.grant(
      policy,
      "EncryptDecrypt",
      ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:DescribeKey"],
      viaService,
    );
  }

  private grant(policy: PolicyDocument, verb: string, actions: string[], viaService: string | undefined): void {
    const conditions: PolicyCondition[] =
      viaService === undefined ? [] : [{ test: "StringEquals", variable: "kms:ViaService", values: [viaService] }];
    const via = viaService === undefined ? "" : `Via${viaService.split(".")[0]?.replace(/[^A-Za-z0-9]/g, "").toUpperCase()}`;
    policy.addStatement({ sid: `${verb}With${this.label}${via}`, actions, resources: [this.keyArn], conditions });
  }
}
