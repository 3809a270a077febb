/** Checks an identity policy statement by statement: listed actions only, every resource scoped. */
import { ACTIONS_WITHOUT_RESOURCE_TYPES, isWildcardAction } from "../../../modules/iam/rules";
import { statementsOf, type Statement } from "./synth";
import { TEST_ACCOUNT } from "./test-stack";

/**
 * Problems of the Allow statements of `policyJson`: wildcard actions, `*` resources for actions that
 * support resource-level permissions, and ARNs that are neither a resource of the stack, nor in the
 * test account, nor a platform bucket (bucket ARNs carry no account; the bucket names end with it).
 */
export function scopeProblems(policyJson: unknown, accountId: string = TEST_ACCOUNT.accountId): string[] {
  const problems: string[] = [];
  for (const statement of statementsOf(policyJson).filter((candidate: Statement) => candidate.Effect === "Allow")) {
    for (const action of statement.Action) {
      if (isWildcardAction(action)) problems.push(`${statement.Sid}: wildcard action ${action}`);
    }
    for (const resource of statement.Resource ?? []) {
      if (resource === "*") {
        const scoped = statement.Action.filter((action) => !ACTIONS_WITHOUT_RESOURCE_TYPES.has(action));
        if (scoped.length > 0) problems.push(`${statement.Sid}: "*" for ${scoped.join(", ")}`);
        continue;
      }
      // A Terraform reference names one resource of this stack (a key, a log group).
      const reference = /^\$\{aws_[a-z0-9_]+\.[^.]+\.arn\}(:log-stream:\*)?$/.test(resource);
      const inAccount = reference || resource.includes(`:${accountId}:`);
      const platformBucket =
        resource.startsWith("arn:aws:s3:::") && new RegExp(`^arn:aws:s3:::[a-z0-9.-]+-${escapeRegExp(accountId)}(/.*)?$`).test(resource);
      if (!inAccount && !platformBucket) problems.push(`${statement.Sid}: ${resource} is outside the account`);
      if (/^arn:aws:[a-z0-9-]+:[^:]*:[^:]*:\*$/.test(resource))
        problems.push(`${statement.Sid}: ${resource} names every resource of a service`);
    }
  }
  return problems;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
