/**
 * The environment's three customer-managed keys, separated so that a grant on one never reaches
 * the others: data (the S3 data tiers), logs (operational log groups), audit (the lineage-audit
 * bucket and the audit log group).
 */
import { Construct } from "constructs";
import { regionalArn, type AccountScope } from "../iam/arns";
import { PlatformKey } from "./platform-key";

export interface PlatformKeysProps {
  /** e.g. sentinel-dev; aliases become alias/<prefix>-data etc. */
  readonly namePrefix: string;
  readonly scope: AccountScope;
  /** Log-group name prefix reserved for audit events, e.g. /sentinel/dev/audit. */
  readonly auditLogGroupPrefix: string;
}

export class PlatformKeys extends Construct {
  readonly data: PlatformKey;
  readonly logs: PlatformKey;
  readonly audit: PlatformKey;

  constructor(scope: Construct, id: string, props: PlatformKeysProps) {
    super(scope, id);
    this.data = new PlatformKey(this, "data", {
      alias: `${props.namePrefix}-data`,
      label: "DataKey",
      description: `${props.namePrefix}: S3 data tiers (raw, processed, archive, artifacts)`,
      scope: props.scope,
    });
    this.logs = new PlatformKey(this, "logs", {
      alias: `${props.namePrefix}-logs`,
      label: "LogsKey",
      description: `${props.namePrefix}: CloudWatch log groups`,
      scope: props.scope,
      logGroupArnPattern: regionalArn(props.scope, "logs", "log-group:*"),
    });
    this.audit = new PlatformKey(this, "audit", {
      alias: `${props.namePrefix}-audit`,
      label: "AuditKey",
      description: `${props.namePrefix}: lineage records and audit events`,
      scope: props.scope,
      logGroupArnPattern: regionalArn(props.scope, "logs", `log-group:${props.auditLogGroupPrefix}*`),
    });
  }

  get all(): readonly PlatformKey[] {
    return [this.data, this.logs, this.audit];
  }
}
