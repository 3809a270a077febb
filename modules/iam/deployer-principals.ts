/**
 * The deployer principals must exist before the first apply: every key policy names them as key
 * administrators, and KMS rejects a policy naming a principal that does not exist
 * (MalformedPolicyDocumentException, reported at apply, after other resources were created). This looks
 * each one up at plan time with a lookup that cannot fail on its own (aws_iam_roles / aws_iam_users by
 * exact name and path) and a postcondition whose error names the missing principal and what to do, so
 * `terraform plan` stops before anything is created.
 */
import { DataAwsIamRoles } from "@cdktf/provider-aws/lib/data-aws-iam-roles";
import { DataAwsIamUsers } from "@cdktf/provider-aws/lib/data-aws-iam-users";
import { Construct } from "constructs";

export interface DeployerPrincipalsCheckProps {
  /** Principals as the environment names them: `role/<path/>name` or `user/<path/>name`. */
  readonly principals: readonly string[];
  /** Environment name, for the error message. */
  readonly environment: string;
}

/** `role/ops/sentinel-deployer` -> kind role, path /ops/, name sentinel-deployer. */
export function parseDeployerPrincipal(principal: string): { kind: "role" | "user"; path: string; name: string } {
  const match = /^(role|user)\/((?:[A-Za-z0-9+=,.@_-]+\/)*)([A-Za-z0-9+=,.@_-]{1,64})$/.exec(principal);
  if (match === null) throw new Error(`deployer principal ${principal} must look like role/<name> or user/<name>`);
  return { kind: match[1] as "role" | "user", path: `/${match[2] ?? ""}`, name: match[3] as string };
}

/** The error `terraform plan` prints when the deployer principal is missing. */
export function missingDeployerMessage(principal: string, environment: string): string {
  return (
    `The deployer principal ${principal} of the ${environment} environment does not exist in the target account. ` +
    `Create it before the first apply (docs/security-model.md, "The deployer principal"): every key policy names it ` +
    `as key administrator and KMS refuses a policy naming a principal that does not exist.`
  );
}

const escapeRegex = (text: string) => text.replace(/[.+=,@]/g, (character) => `\\${character}`);

export class DeployerPrincipalsCheck extends Construct {
  constructor(scope: Construct, id: string, props: DeployerPrincipalsCheckProps) {
    super(scope, id);
    props.principals.forEach((principal, index) => {
      const { kind, path, name } = parseDeployerPrincipal(principal);
      const lookup = { nameRegex: `^${escapeRegex(name)}$`, pathPrefix: path };
      const postcondition = [
        { condition: "${length(self.names) == 1}", errorMessage: missingDeployerMessage(principal, props.environment) },
      ];
      if (kind === "role") new DataAwsIamRoles(this, `deployer-${index}`, { ...lookup, lifecycle: { postcondition } });
      else new DataAwsIamUsers(this, `deployer-${index}`, { ...lookup, lifecycle: { postcondition } });
    });
  }
}
