/**
 * The two ways in for people outside the platform team, each cut to its job:
 *
 * data scientist  reads the processed tables (S3 prefix processed/ of the processed bucket and the
 *                 processed Glue Catalog database). The data key decrypts for this role only when
 *                 S3 asks on its behalf for an object of the processed bucket: it cannot decrypt
 *                 raw or quarantined rows, the wrapped tokenization key, or anything else under
 *                 the same key. No raw, quarantine, lineage or audit access.
 * auditor         reads the lineage-audit bucket (lineage records, audit chain index, run claims)
 *                 with every object version, retention and legal hold, the lineage catalog database
 *                 and the audit log group. No data access, and no write anywhere.
 * re-identification  break-glass: reads the wrapped tokenization keys and unwraps them with the
 *                 tokenization key (only under its {profile, key_version} context). Every use is in
 *                 CloudTrail; assuming it needs MFA (IAM users) and a source identity.
 *
 * test/modules/access.test.ts evaluates both policies against what each must not reach.
 */
import { Construct } from "constructs";
import { regionalArn, type AccountScope, type EnvironmentScopeProps } from "../iam/arns";
import type { PolicyDocument } from "../iam/policy-document";
import { sidFragment } from "../iam/sid";
import type { EncryptedLogGroup } from "../logging/encrypted-log-group";
import type { PlatformBuckets } from "../storage/platform-buckets";
import { grantObjectRead } from "../handlers/object-grants";
import { ARTIFACT_PREFIXES, PROCESSED_PREFIXES } from "../../contracts/data-layout";
import type { PlatformKey } from "../encryption/platform-key";
import { TOKENIZATION_CONTEXT_KEYS } from "../encryption/platform-keys";
import { ConsumerRole } from "./consumer-role";

/** Roles are named after namePrefix: sentinel-dev gives sentinel-dev-data-scientist, sentinel-dev-auditor, ... */
export interface ConsumerAccessProps extends EnvironmentScopeProps {
  readonly buckets: PlatformBuckets;
  readonly auditLogGroup: EncryptedLogGroup;
  /** Glue Catalog database of the processed tables. */
  readonly processedDatabaseName: string;
  /** Glue Catalog database of the table over the lineage records. */
  readonly lineageDatabaseName: string;
  readonly dataScientistPrincipalArns: string[];
  readonly auditorPrincipalArns: string[];
  /** Who may assume the break-glass re-identification role. */
  readonly reidentificationPrincipalArns: string[];
  /** The key that wraps the tokenization keys: the re-identification role may unwrap them. */
  readonly tokenizationKey: PlatformKey;
  /**
   * When set, consumer roles trust only principals of this AWS Organization.
   * @default none: principals are confined by the trusted ARNs, MFA and source identity only
   */
  readonly organizationId?: string;
}

/** Reading a catalog database's tables and partitions (what Athena and Spark ask the catalog for). */
const CATALOG_READ_ACTIONS = [
  "glue:GetDatabase",
  "glue:GetTable",
  "glue:GetTables",
  "glue:GetTableVersion",
  "glue:GetTableVersions",
  "glue:GetPartition",
  "glue:GetPartitions",
  "glue:BatchGetPartition",
];

export class ConsumerAccess extends Construct {
  readonly dataScientist: ConsumerRole;
  readonly auditor: ConsumerRole;
  readonly reidentification: ConsumerRole;

  constructor(scope: Construct, id: string, props: ConsumerAccessProps) {
    super(scope, id);
    const { buckets, account } = props;
    // Each role's name is the environment prefix and its construct id; every one trusts under the same organization.
    const consumerRole = (name: string, description: string, trustedPrincipalArns: string[]) =>
      new ConsumerRole(this, name, {
        roleName: `${props.namePrefix}-${name}`,
        description,
        trustedPrincipalArns,
        organizationId: props.organizationId,
      });

    this.dataScientist = consumerRole(
      "data-scientist",
      "Reads the processed tables (S3 and Glue Catalog); no raw, quarantine, lineage or audit access",
      props.dataScientistPrincipalArns,
    );
    grantObjectRead(this.dataScientist.policy, buckets.processed, PROCESSED_PREFIXES.processed, { purpose: "ProcessedTables" });
    grantCatalogRead(this.dataScientist.policy, account, props.processedDatabaseName);

    this.auditor = consumerRole(
      "auditor",
      "Reads lineage records, the audit chain and the audit log group; no data access",
      props.auditorPrincipalArns,
    );
    buckets.lineageAudit.grantRead(this.auditor.policy);
    // Every version, its retention and legal hold: a second version of a write-once record is evidence.
    buckets.lineageAudit.grantVersionAudit(this.auditor.policy);
    props.auditLogGroup.grantRead(this.auditor.policy);
    grantCatalogRead(this.auditor.policy, account, props.lineageDatabaseName);

    this.reidentification = consumerRole(
      "reidentification",
      "Break-glass: unwraps the tokenization keys to reverse tokens for an authorised investigation",
      props.reidentificationPrincipalArns,
    );
    grantObjectRead(this.reidentification.policy, buckets.artifacts, ARTIFACT_PREFIXES.keys, { purpose: "WrappedTokenizationKeys" });
    props.tokenizationKey.grantDecryptWithContext(this.reidentification.policy, TOKENIZATION_CONTEXT_KEYS);
  }
}

function grantCatalogRead(policy: PolicyDocument, account: AccountScope, databaseName: string): void {
  policy.addStatement({
    sid: `ReadCatalog${sidFragment(databaseName)}`,
    actions: CATALOG_READ_ACTIONS,
    resources: [
      regionalArn(account, "glue", "catalog"),
      regionalArn(account, "glue", `database/${databaseName}`),
      regionalArn(account, "glue", `table/${databaseName}/*`),
    ],
  });
}
