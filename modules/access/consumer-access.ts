/**
 * The two ways in for people outside the platform team, each cut to its job:
 *
 * data scientist  reads the processed tables (S3 prefix processed/ of the processed bucket and the
 *                 processed Glue Catalog database). The data key decrypts for this role only when
 *                 S3 asks on its behalf for an object of the processed bucket: it cannot decrypt
 *                 raw or quarantined rows, the wrapped tokenization key, or anything else under
 *                 the same key. No raw, quarantine, lineage or audit access.
 * auditor         reads the lineage-audit bucket (lineage records, audit chain index, run claims),
 *                 the lineage catalog database and the audit log group. No data access, and no
 *                 write anywhere.
 *
 * test/modules/access.test.ts evaluates both policies against what each must not reach.
 */
import { Construct } from "constructs";
import { regionalArn, type AccountScope } from "../iam/arns";
import type { PolicyDocument } from "../iam/policy-document";
import { sidFragment } from "../iam/sid";
import type { EncryptedLogGroup } from "../logging/encrypted-log-group";
import type { PlatformBuckets } from "../storage/platform-buckets";
import { grantObjectRead } from "../handlers/object-grants";
import { PROCESSED_PREFIXES } from "../../contracts/data-layout";
import { ConsumerRole } from "./consumer-role";

export interface ConsumerAccessProps {
  /** e.g. sentinel-dev: roles become sentinel-dev-data-scientist and sentinel-dev-auditor. */
  readonly namePrefix: string;
  readonly scope: AccountScope;
  readonly buckets: PlatformBuckets;
  readonly auditLogGroup: EncryptedLogGroup;
  /** Glue Catalog database of the processed tables. */
  readonly processedDatabaseName: string;
  /** Glue Catalog database of the table over the lineage records. */
  readonly lineageDatabaseName: string;
  readonly dataScientistPrincipalArns: string[];
  readonly auditorPrincipalArns: string[];
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

  constructor(scope: Construct, id: string, props: ConsumerAccessProps) {
    super(scope, id);
    const { buckets, scope: account } = props;

    this.dataScientist = new ConsumerRole(this, "data-scientist", {
      roleName: `${props.namePrefix}-data-scientist`,
      description: "Reads the processed tables (S3 and Glue Catalog); no raw, quarantine, lineage or audit access",
      trustedPrincipalArns: props.dataScientistPrincipalArns,
    });
    grantObjectRead(this.dataScientist.policy, buckets.processed, PROCESSED_PREFIXES.processed, { purpose: "ProcessedTables", region: account.region });
    grantCatalogRead(this.dataScientist.policy, account, props.processedDatabaseName);

    this.auditor = new ConsumerRole(this, "auditor", {
      roleName: `${props.namePrefix}-auditor`,
      description: "Reads lineage records, the audit chain and the audit log group; no data access",
      trustedPrincipalArns: props.auditorPrincipalArns,
    });
    buckets.lineageAudit.grantRead(this.auditor.policy);
    props.auditLogGroup.grantRead(this.auditor.policy);
    grantCatalogRead(this.auditor.policy, account, props.lineageDatabaseName);
  }
}

function grantCatalogRead(policy: PolicyDocument, scope: AccountScope, databaseName: string): void {
  policy.addStatement({
    sid: `ReadCatalog${sidFragment(databaseName)}`,
    actions: CATALOG_READ_ACTIONS,
    resources: [
      regionalArn(scope, "glue", "catalog"),
      regionalArn(scope, "glue", `database/${databaseName}`),
      regionalArn(scope, "glue", `table/${databaseName}/*`),
    ],
  });
}
