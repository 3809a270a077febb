/**
 * The deployer role in the emulator. On AWS the deployment pipeline applies each environment as its deployer principal
 * (stacks/config: `role/sentinel-deployer`), which must exist before the first apply, and the artifacts bucket's policy
 * lets only that role write the job's code, configuration, reference data and keys. The local apply does the same: the
 * role is created in the emulator (trusting the account, whose dummy credentials the apply signs with) and the provider
 * assumes it (emulator-override.ts), so those statements are evaluated against the principal they name.
 */
import { iamCall, xmlField } from "./iam-enforcement";
import { parseDeployerPrincipal } from "../../modules/iam/deployer-principals";
import { ENVIRONMENT_INPUTS } from "../../stacks/config/environments";

/** The first deployer principal of environment `stackName` when it is a role, else undefined (nothing to assume). */
export function deployerRole(stackName: string): { readonly name: string; readonly path: string } | undefined {
  const principal = ENVIRONMENT_INPUTS.find((environment) => environment.name === stackName)?.deployerPrincipals?.[0];
  if (principal === undefined) return undefined;
  const parsed = parseDeployerPrincipal(principal);
  return parsed.kind === "role" ? { name: parsed.name, path: parsed.path } : undefined;
}

/** The ARN of environment `stackName`'s deployer role in account `accountId` (undefined: its deployer is no role). */
export function deployerRoleArn(stackName: string, accountId: string): string | undefined {
  const role = deployerRole(stackName);
  return role === undefined ? undefined : `arn:aws:iam::${accountId}:role${role.path}${role.name}`;
}

/**
 * What the deployer may do locally: everything, as the deployment pipeline's role may on AWS in its account. Only
 * consulted once npm start enforces IAM (the CDKTF commands against its emulator then sign as this role).
 */
const DEPLOYER_PERMISSIONS = {
  Version: "2012-10-17",
  Statement: [{ Sid: "DeploysTheLocalEnvironment", Effect: "Allow", Action: "*", Resource: "*" }],
};

/**
 * Creates the environment's deployer role in the emulator at `endpoint` unless it exists (before IAM is enforced: the
 * IAM calls are unsigned); returns its ARN.
 */
export async function ensureDeployerRole(endpoint: string, stackName: string, accountId: string): Promise<string | undefined> {
  const role = deployerRole(stackName);
  if (role === undefined) return undefined;
  try {
    return xmlField(await iamCall(endpoint, { Action: "GetRole", RoleName: role.name }), "Arn", "GetRole");
  } catch (error) {
    if (!String(error).includes("NoSuchEntity")) throw error;
  }
  const trust = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "sts:AssumeRole" }],
  };
  const created = await iamCall(endpoint, {
    Action: "CreateRole",
    RoleName: role.name,
    Path: role.path,
    AssumeRolePolicyDocument: JSON.stringify(trust),
  });
  await iamCall(endpoint, {
    Action: "PutRolePolicy",
    RoleName: role.name,
    PolicyName: "deploys-the-local-environment",
    PolicyDocument: JSON.stringify(DEPLOYER_PERMISSIONS),
  });
  return xmlField(created, "Arn", "CreateRole");
}
