/**
 * A customer-managed KMS key whose policy separates who manages it from who uses it, so that an
 * account administrator's broad IAM rights neither read data under it nor disable it:
 *
 * - key administrators (the deployer principals) manage the key and never use it for data;
 * - the account root keeps only what AWS requires so the key never becomes unmanageable (read the
 *   key and its policy, put a new policy), and a Deny confines every change to the administrators
 *   and the root user itself (the break-glass path AWS documents for a lost administrator);
 * - key users are an allow-list: the roles of this stack whose identity policies were granted an
 *   action on this key (found when the policy renders), plus principals named with `allowUse`.
 *   The key policy lets IAM grant those actions to them only, and explicitly denies every data
 *   action to any other principal that is not an AWS service acting on its own behalf (services get
 *   statements of their own, each with a confused-deputy condition).
 */
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { accountRootArn, type AccountScope } from "../iam/arns";
import { PolicyDocument, type PolicyCondition, type PolicyStatement } from "../iam/policy-document";
import { sidFragment } from "../iam/sid";

/** What the key does; decides its spec and the data actions its allow-list governs. */
export type PlatformKeyUsage = "encrypt-decrypt" | "hmac" | "sign-verify";

export interface PlatformKeyProps {
  /** Alias without the `alias/` prefix, e.g. sentinel-dev-data. */
  readonly alias: string;
  /** Pascal-case label used in statement ids, e.g. DataKey. */
  readonly label: string;
  readonly description: string;
  readonly account: AccountScope;
  /** Principals (role or user ARNs) that administer the key: the deployer. Never key users by this. */
  readonly administratorArns: readonly string[];
  /**
   * What the key does: encrypt-decrypt is SYMMETRIC_DEFAULT, hmac is HMAC_256, sign-verify is ECC_NIST_P256.
   * @default "encrypt-decrypt"
   */
  readonly usage?: PlatformKeyUsage;
  /**
   * Log groups (ARN pattern) whose data CloudWatch Logs may encrypt with this key. The key policy
   * lets the Logs service use the key only under an encryption context naming such a log group.
   * @default none: the key policy has no statement for the Logs service, which cannot use the key
   */
  readonly logGroupArnPattern?: string;
  /**
   * Waiting period before a scheduled deletion happens: time to notice and cancel a mistaken one.
   * @default 30, the longest KMS allows
   */
  readonly deletionWindowInDays?: number;
  /**
   * Days between automatic rotations; applies to symmetric keys only (KMS rotates no HMAC or
   * asymmetric key, so for those it is ignored and rotation stays off).
   * @default 365
   */
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

/** Data actions per usage: the actions the allow-list governs (allowed to its members, denied to all others). */
export const KEY_DATA_ACTIONS: Readonly<Record<PlatformKeyUsage, readonly string[]>> = {
  "encrypt-decrypt": [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
  ],
  hmac: ["kms:GenerateMac", "kms:VerifyMac"],
  "sign-verify": ["kms:GetPublicKey", "kms:Sign", "kms:Verify"],
};

/**
 * Changes to the key that only its administrators (and the root user) may make: its policy, its
 * state, its deletion, its rotation, its grants and aliases, its tags (tags can carry ABAC rights).
 */
export const KEY_MANAGEMENT_ACTIONS: readonly string[] = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:CreateGrant",
  "kms:DeleteAlias",
  "kms:DeleteImportedKeyMaterial",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:ImportKeyMaterial",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
  "kms:UpdatePrimaryRegion",
];

/** Reading the key's configuration: what Terraform refreshes and auditors review. */
const KEY_READ_ACTIONS = [
  "kms:DescribeKey",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
];

/**
 * What the account keeps: read the key, and put a new policy (the Deny below leaves that to the
 * root user and the administrators). Without PutKeyPolicy for the account, deleting the deployer
 * role would leave a key nobody can manage short of AWS Support (KMS developer guide, "Default key
 * policy": allows access to the AWS account and enables IAM policies).
 */
const ACCOUNT_RECOVERY_ACTIONS = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy"];

const KEY_SPECS: Readonly<Record<PlatformKeyUsage, { keyUsage: string; spec: string }>> = {
  "encrypt-decrypt": { keyUsage: "ENCRYPT_DECRYPT", spec: "SYMMETRIC_DEFAULT" },
  hmac: { keyUsage: "GENERATE_VERIFY_MAC", spec: "HMAC_256" },
  "sign-verify": { keyUsage: "SIGN_VERIFY", spec: "ECC_NIST_P256" },
};

/** A construct holding a role's identity policy (ServiceRole, ExecutionRole, ConsumerRole). */
interface IdentityPolicyHolder {
  readonly policy: PolicyDocument;
}

function isIdentityPolicyHolder(construct: IConstruct): construct is IConstruct & IdentityPolicyHolder {
  const policy = (construct as Partial<IdentityPolicyHolder>).policy;
  return policy instanceof PolicyDocument && policy.kind === "identity" && policy.principalArn !== undefined;
}

export class PlatformKey extends Construct {
  readonly keyArn: string;
  readonly keyId: string;
  /** e.g. alias/sentinel-dev-data. */
  readonly aliasName: string;
  readonly usage: PlatformKeyUsage;
  /** The key policy; modules that need an AWS service to use the key add statements to it. */
  readonly keyPolicy: PolicyDocument;
  private readonly label: string;
  private readonly explicitUsers: { readonly principalArns: readonly string[]; readonly actions: readonly string[] }[] = [];
  private readonly resourceGrantors: string[] = [];

  constructor(scope: Construct, id: string, props: PlatformKeyProps) {
    super(scope, id);
    if (props.administratorArns.length === 0) throw new Error(`key ${props.alias}: name at least one key administrator`);
    this.label = props.label;
    this.usage = props.usage ?? "encrypt-decrypt";
    const root = accountRootArn(props.account);
    this.keyPolicy = PolicyDocument.key(`${props.alias}-key-policy`);
    this.keyPolicy.addStatementsAtRender(() => [
      ...this.administrationStatements(root, props.administratorArns),
      ...this.allowListStatements(root),
    ]);
    if (props.logGroupArnPattern !== undefined) {
      this.keyPolicy.addStatement({
        sid: "CloudWatchLogsEncryptsAccountLogGroups",
        principals: [{ type: "Service", identifiers: [`logs.${props.account.region}.amazonaws.com`] }],
        actions: LOGS_SERVICE_KEY_ACTIONS,
        resources: ["*"],
        conditions: [{ test: "ArnLike", variable: "kms:EncryptionContext:aws:logs:arn", values: [props.logGroupArnPattern] }],
      });
    }
    const symmetric = this.usage === "encrypt-decrypt";
    const key = new KmsKey(this, "key", {
      description: props.description,
      keyUsage: KEY_SPECS[this.usage].keyUsage,
      customerMasterKeySpec: KEY_SPECS[this.usage].spec,
      // KMS rotates only symmetric encryption keys; HMAC and signing keys are replaced by a new key.
      enableKeyRotation: symmetric,
      rotationPeriodInDays: symmetric ? (props.rotationPeriodInDays ?? 365) : undefined,
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

  /**
   * Adds principals from outside this stack (e.g. the deployer uploading artifacts) to the
   * allow-list for `actions` (data actions of this key's usage).
   */
  allowUse(principalArns: readonly string[], actions: readonly string[]): void {
    const unknown = actions.filter((action) => !KEY_DATA_ACTIONS[this.usage].includes(action));
    if (unknown.length > 0) throw new Error(`${this.node.path}: ${unknown.join(", ")} are not data actions of a ${this.usage} key`);
    this.explicitUsers.push({ principalArns, actions });
  }

  /**
   * Lets `principalArns` create grants on the key only for AWS resources they create (kms:GrantIsForAWSResource):
   * Lambda encrypts a function's environment under a grant it creates with its creator's rights.
   */
  allowGrantsForAwsResources(principalArns: readonly string[]): void {
    this.resourceGrantors.push(...principalArns.filter((arn) => !this.resourceGrantors.includes(arn)));
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

  /** Decrypt only under an encryption context whose keys are exactly `contextKeys` (e.g. profile, key_version). */
  grantDecryptWithContext(policy: PolicyDocument, contextKeys: readonly string[]): void {
    this.requireUsage("encrypt-decrypt");
    policy.addStatement({
      sid: `DecryptWith${this.label}InContext`,
      actions: ["kms:Decrypt"],
      resources: [this.keyArn],
      conditions: [
        { test: "ForAllValues:StringEquals", variable: "kms:EncryptionContextKeys", values: contextKeys },
        ...contextKeys.map((key) => ({ test: "Null", variable: `kms:EncryptionContext:${key}`, values: ["false"] })),
      ],
    });
  }

  /** Compute and verify MACs (an hmac key: fitted-state authentication). */
  grantGenerateVerifyMac(policy: PolicyDocument): void {
    this.requireUsage("hmac");
    this.grant(policy, "GenerateVerifyMac", ["kms:GenerateMac", "kms:VerifyMac", "kms:DescribeKey"], undefined);
  }

  /** Sign messages (a sign-verify key: audit chain heads). */
  grantSign(policy: PolicyDocument): void {
    this.requireUsage("sign-verify");
    this.grant(policy, "Sign", ["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"], undefined);
  }

  /** Read the public key and verify signatures (a sign-verify key: auditors). */
  grantVerify(policy: PolicyDocument): void {
    this.requireUsage("sign-verify");
    this.grant(policy, "Verify", ["kms:Verify", "kms:GetPublicKey", "kms:DescribeKey"], undefined);
  }

  /** Principal ARNs allowed each data action: roles of this stack granted it, plus allowUse. */
  usersByAction(): ReadonlyMap<string, readonly string[]> {
    const users = new Map<string, Set<string>>(KEY_DATA_ACTIONS[this.usage].map((action) => [action, new Set<string>()]));
    for (const holder of TerraformStack.of(this).node.findAll().filter(isIdentityPolicyHolder)) {
      const principal = holder.policy.principalArn as string;
      for (const statement of holder.policy.statements) {
        if ((statement.effect ?? "Allow") !== "Allow" || !(statement.resources ?? []).includes(this.keyArn)) continue;
        for (const action of statement.actions) users.get(action)?.add(principal);
      }
    }
    for (const { principalArns, actions } of this.explicitUsers) {
      for (const action of actions) for (const principal of principalArns) users.get(action)?.add(principal);
    }
    return new Map([...users].map(([action, principals]) => [action, [...principals]]));
  }

  private administrationStatements(root: string, administrators: readonly string[]): PolicyStatement[] {
    const grants: PolicyStatement[] =
      this.resourceGrantors.length === 0
        ? []
        : [
            {
              sid: "GrantsForAwsResources",
              principals: [{ type: "AWS", identifiers: this.resourceGrantors }],
              actions: ["kms:CreateGrant"],
              resources: ["*"],
              conditions: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
            },
          ];
    return [
      {
        sid: "AccountKeepsKeyManageable",
        principals: [{ type: "AWS", identifiers: [root] }],
        actions: ACCOUNT_RECOVERY_ACTIONS,
        resources: ["*"],
      },
      {
        sid: "KeyAdministrators",
        principals: [{ type: "AWS", identifiers: administrators }],
        actions: [...KEY_MANAGEMENT_ACTIONS.filter((action) => action !== "kms:CreateGrant"), ...KEY_READ_ACTIONS],
        resources: ["*"],
      },
      {
        sid: "DenyKeyManagementToOthers",
        effect: "Deny",
        principals: "*",
        actions: KEY_MANAGEMENT_ACTIONS.filter((action) => action !== "kms:CreateGrant"),
        resources: ["*"],
        conditions: [{ test: "ArnNotEquals", variable: "aws:PrincipalArn", values: [...administrators, root] }],
      },
      {
        // Lambda and the other services that protect their own resources with this key create
        // grants themselves (kms:GrantIsForAWSResource); nobody else grants use of the key.
        sid: "DenyGrantsToOthers",
        effect: "Deny",
        principals: "*",
        actions: ["kms:CreateGrant"],
        resources: ["*"],
        conditions: [
          { test: "ArnNotEquals", variable: "aws:PrincipalArn", values: [...administrators, root] },
          { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["false"] },
        ],
      },
      ...grants,
    ];
  }

  /** Allow (through IAM) and deny (everyone else) each group of data actions with the same users. */
  private allowListStatements(root: string): PolicyStatement[] {
    const groups = new Map<string, { principals: readonly string[]; actions: string[] }>();
    for (const [action, principals] of this.usersByAction()) {
      // Principals stay in construct-tree order: role ARNs are unresolved tokens here, and sorting
      // them would order the policy by token numbers, which change from one synth to the next.
      const key = principals.join(" ");
      const group = groups.get(key) ?? { principals, actions: [] };
      group.actions.push(action);
      groups.set(key, group);
    }
    const statements: PolicyStatement[] = [];
    let index = 0;
    for (const { principals, actions } of groups.values()) {
      index += 1;
      const name = groups.size === 1 ? "" : String(index);
      const notAService: PolicyCondition = { test: "BoolIfExists", variable: "aws:PrincipalIsAWSService", values: ["false"] };
      if (principals.length > 0) {
        statements.push({
          sid: `IamGrantsDataUseToAllowList${name}`,
          principals: [{ type: "AWS", identifiers: [root] }],
          actions,
          resources: ["*"],
          conditions: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: principals }],
        });
      }
      statements.push({
        sid: `DenyDataUseOutsideAllowList${name}`,
        effect: "Deny",
        principals: "*",
        actions,
        resources: ["*"],
        conditions:
          principals.length > 0 ? [{ test: "ArnNotEquals", variable: "aws:PrincipalArn", values: principals }, notAService] : [notAService],
      });
    }
    return statements;
  }

  private requireUsage(usage: PlatformKeyUsage): void {
    if (this.usage !== usage) throw new Error(`${this.node.path} is a ${this.usage} key, not ${usage}`);
  }

  private grant(policy: PolicyDocument, verb: string, actions: string[], viaService: string | undefined): void {
    const conditions: PolicyCondition[] =
      viaService === undefined ? [] : [{ test: "StringEquals", variable: "kms:ViaService", values: [viaService] }];
    const via = viaService === undefined ? "" : `Via${sidFragment(viaService.split(".")[0] ?? "").toUpperCase()}`;
    policy.addStatement({ sid: `${verb}With${this.label}${via}`, actions, resources: [this.keyArn], conditions });
  }
}
