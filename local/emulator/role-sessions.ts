/**
 * Each component of the local run on its own role: after Terraform has applied the `local` stack to the
 * emulator (with the emulator's dummy deployer credentials, before any enforcement), this
 *  - creates the local deployer, an IAM user allowed everything, which stands in for the account
 *    administrator that deploys and operates the platform: the run's harness (landing the input, installing
 *    the wrapped tokenization key, saving and restoring state, shipping logs as the services do) uses it;
 *  - creates one local operator, which stands in for the AWS services and consumer principals the synthesized trust
 *    policies name (they cannot call the emulator): the emulator lets it assume a role whose trust policy names such a
 *    principal (local/emulator_iam.py), and it may do nothing but sts:AssumeRole on the roles Terraform created;
 *  - lets the local deployer (only) assume the environment's deployer role, which the Terraform apply ran as
 *    (local/emulator/emulator-deployer.ts), so the CDKTF commands against a running npm start can too;
 *  - switches moto's IAM enforcement on, from when the emulator's dummy credentials are refused;
 *  - hands out credentials from sts:AssumeRole of a role, by its ARN, for the handler workers, the Glue job's
 *    driver, the DataBrew stand-in and the auditor and data-scientist reads.
 * The roles keep the trust and permission policies Terraform applied, unchanged (a `cdktf diff local` against the
 * running emulator shows none of them). What the emulator does not evaluate is listed in docs/security-model.md.
 */
import {
  assumeRole,
  createUser,
  enforceIam,
  grantUserWithKey,
  iamCall,
  LOCAL_OPERATOR,
  xmlField,
  type AwsCredentials,
} from "./iam-enforcement";
import { deployerRole } from "./emulator-deployer";

/** The deployer: the one principal with every permission once enforcement is on. */
export const LOCAL_DEPLOYER = "sentinel-local-deployer";

/** Credentials of a role of the applied stack, by role ARN. */
export type RoleCredentials = (roleArn: string) => Promise<AwsCredentials>;

export interface EnforcedRoles {
  readonly deployer: AwsCredentials;
  /** Role names the operator may assume (every role Terraform created). */
  readonly roles: readonly string[];
  readonly credentialsOf: RoleCredentials;
}

/** The names and ARNs of every role in the emulator (Terraform's), all pages. */
async function listRoles(endpoint: string): Promise<Array<{ readonly name: string; readonly arn: string }>> {
  const roles: Array<{ name: string; arn: string }> = [];
  let marker: string | undefined;
  do {
    const page = await iamCall(endpoint, { Action: "ListRoles", MaxItems: "1000", ...(marker === undefined ? {} : { Marker: marker }) });
    // a role's tags are <member>s too: only the members that name a role
    for (const member of page.split("<member>").filter((part) => part.includes("<RoleName>"))) {
      roles.push({ name: xmlField(member, "RoleName", "ListRoles"), arn: xmlField(member, "Arn", "ListRoles") });
    }
    marker = /<IsTruncated>true<\/IsTruncated>/.test(page) ? xmlField(page, "Marker", "ListRoles") : undefined;
  } while (marker !== undefined);
  return roles;
}

/**
 * Creates the deployer and the operator, lets the operator assume every role (by the emulator's stand-in rule: the
 * roles' trust policies stay Terraform's), and switches enforcement on.
 * Must run after the apply and before anything else calls the emulator with its dummy credentials.
 */
export async function enforceRolesOfAppliedStack(endpoint: string, region: string): Promise<EnforcedRoles> {
  const all = await listRoles(endpoint);
  const deployerRoleName = deployerRole("local")?.name;
  const roles = all.filter((role) => role.name !== deployerRoleName);
  if (roles.length === 0) throw new Error("the emulator holds no IAM role: apply the local stack before enforcing IAM");
  const deployerArn = await createUser(endpoint, LOCAL_DEPLOYER);
  const deployer = await grantUserWithKey(endpoint, LOCAL_DEPLOYER, "local-run", {
    Version: "2012-10-17",
    Statement: [{ Sid: "DeploysAndOperatesTheLocalPlatform", Effect: "Allow", Action: "*", Resource: "*" }],
  });
  await createUser(endpoint, LOCAL_OPERATOR);
  const operator = await grantUserWithKey(endpoint, LOCAL_OPERATOR, "local-run", {
    Version: "2012-10-17",
    Statement: [{ Sid: "AssumePlatformRoles", Effect: "Allow", Action: "sts:AssumeRole", Resource: roles.map((role) => role.arn) }],
  });
  if (deployerRoleName !== undefined && all.some((role) => role.name === deployerRoleName)) {
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: deployerArn }, Action: "sts:AssumeRole" }] };
    await iamCall(endpoint, { Action: "UpdateAssumeRolePolicy", RoleName: deployerRoleName, PolicyDocument: JSON.stringify(trust) });
  }
  await enforceIam(endpoint);

  const sessions = new Map<string, Promise<AwsCredentials>>();
  const credentialsOf: RoleCredentials = (roleArn) => {
    let session = sessions.get(roleArn);
    if (session === undefined) {
      const sessionName = `local-${roleArn.split("/").pop() ?? "role"}`.slice(0, 64);
      session = assumeRole(endpoint, region, operator, roleArn, sessionName);
      sessions.set(roleArn, session);
      session.catch(() => sessions.delete(roleArn));
    }
    return session;
  };
  return { deployer, roles: roles.map((role) => role.name), credentialsOf };
}
