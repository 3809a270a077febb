/**
 * The environment's customer-managed keys, separated so that a grant on one never reaches the
 * others:
 *
 * data                  the S3 data tiers (raw, processed, archive, artifacts)
 * logs                  operational log groups
 * audit                 the lineage-audit bucket and the audit log group
 * tokenization          wraps the tokenization data keys; usable only under the encryption context
 *                       {profile, key_version}, by the Glue job and the break-glass re-identification role
 * job bookmarks         the Glue job's client-side encrypted bookmarks (the job calls KMS itself, so
 *                       this cannot be the data key, whose use by the job is confined to S3)
 * state authentication  HMAC_256: MACs over the job's fitted state (bin edges, codes, model)
 * audit signing         ECC_NIST_P256: signatures over audit chain heads; Sign for the audit handler,
 *                       Verify and GetPublicKey for auditors
 *
 * Every key is administered by the deployer principals, who are never its users (PlatformKey).
 */
import { Construct } from "constructs";
import { regionalArn, type EnvironmentScopeProps } from "../iam/arns";
import { PlatformKey } from "./platform-key";

/** Key aliases are named after namePrefix: alias/<prefix>-data etc. */
export interface PlatformKeysProps extends EnvironmentScopeProps {
  /** Log-group name prefix reserved for audit events, e.g. /sentinel/dev/audit. */
  readonly auditLogGroupPrefix: string;
  /** The deployer principals: administrators of every key. */
  readonly administratorArns: readonly string[];
}

/** The encryption context a wrapped tokenization key is bound to (and the only one the key accepts). */
export const TOKENIZATION_CONTEXT_KEYS = ["profile", "key_version"] as const;

/** The tokenization key's operations that take an encryption context: denied unless it names a profile and key version. */
const CONTEXT_BOUND_ACTIONS: readonly string[] = [
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
];

export class PlatformKeys extends Construct {
  readonly data: PlatformKey;
  readonly logs: PlatformKey;
  readonly audit: PlatformKey;
  readonly tokenization: PlatformKey;
  readonly jobBookmarks: PlatformKey;
  readonly stateAuthentication: PlatformKey;
  readonly auditSigning: PlatformKey;

  constructor(scope: Construct, id: string, props: PlatformKeysProps) {
    super(scope, id);
    const common = { account: props.account, administratorArns: props.administratorArns };
    this.data = new PlatformKey(this, "data", {
      ...common,
      alias: `${props.namePrefix}-data`,
      label: "DataKey",
      description: `${props.namePrefix}: S3 data tiers (raw, processed, archive, artifacts)`,
    });
    this.logs = new PlatformKey(this, "logs", {
      ...common,
      alias: `${props.namePrefix}-logs`,
      label: "LogsKey",
      description: `${props.namePrefix}: CloudWatch log groups`,
      logGroupArnPattern: regionalArn(props.account, "logs", "log-group:*"),
    });
    this.audit = new PlatformKey(this, "audit", {
      ...common,
      alias: `${props.namePrefix}-audit`,
      label: "AuditKey",
      description: `${props.namePrefix}: lineage records and audit events`,
      logGroupArnPattern: regionalArn(props.account, "logs", `log-group:${props.auditLogGroupPrefix}*`),
    });
    this.tokenization = new PlatformKey(this, "tokenization", {
      ...common,
      alias: `${props.namePrefix}-tokenization`,
      label: "TokenizationKey",
      description: `${props.namePrefix}: wraps the tokenization data keys (context profile, key_version)`,
    });
    this.tokenization.keyPolicy.addStatement({
      sid: "DenyUseOutsideTokenizationContext",
      effect: "Deny",
      principals: "*",
      actions: CONTEXT_BOUND_ACTIONS,
      resources: ["*"],
      conditions: [{ test: "ForAnyValue:StringNotEquals", variable: "kms:EncryptionContextKeys", values: TOKENIZATION_CONTEXT_KEYS }],
    });
    for (const contextKey of TOKENIZATION_CONTEXT_KEYS) {
      this.tokenization.keyPolicy.addStatement({
        sid: `DenyUseWithout${contextKey === "profile" ? "Profile" : "KeyVersion"}Context`,
        effect: "Deny",
        principals: "*",
        actions: CONTEXT_BOUND_ACTIONS,
        resources: ["*"],
        conditions: [{ test: "Null", variable: `kms:EncryptionContext:${contextKey}`, values: ["true"] }],
      });
    }
    this.jobBookmarks = new PlatformKey(this, "job-bookmarks", {
      ...common,
      alias: `${props.namePrefix}-job-bookmarks`,
      label: "JobBookmarksKey",
      description: `${props.namePrefix}: Glue job bookmarks (client-side encrypted by the job)`,
    });
    this.stateAuthentication = new PlatformKey(this, "state-authentication", {
      ...common,
      usage: "hmac",
      alias: `${props.namePrefix}-state-authentication`,
      label: "StateAuthenticationKey",
      description: `${props.namePrefix}: HMAC over the Glue job's fitted state`,
    });
    this.auditSigning = new PlatformKey(this, "audit-signing", {
      ...common,
      usage: "sign-verify",
      alias: `${props.namePrefix}-audit-signing`,
      label: "AuditSigningKey",
      description: `${props.namePrefix}: signs audit chain heads`,
    });
  }

  get all(): readonly PlatformKey[] {
    return [this.data, this.logs, this.audit, this.tokenization, this.jobBookmarks, this.stateAuthentication, this.auditSigning];
  }
}
