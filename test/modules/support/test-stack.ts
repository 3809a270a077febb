/** The stack module tests build on: the test account, its deployer, a bare stack with an AWS provider. */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Testing, TerraformStack } from "cdktf";
import type { AccountScope } from "../../../modules/iam/arns";

/**
 * Runs `build` with V8's native stack-trace formatting. cdktf captures a full stack trace for every
 * token it creates, and vitest's source-mapping Error.prepareStackTrace makes each capture costly:
 * building the four environment stacks took about 3x longer with it. Assertion failures outside
 * `build` are still reported with source-mapped locations.
 */
export function withPlainStackTraces<T>(build: () => T): T {
  const errorClass = Error as { prepareStackTrace?: ErrorConstructor["prepareStackTrace"] };
  const previous = errorClass.prepareStackTrace;
  errorClass.prepareStackTrace = undefined;
  try {
    return build();
  } finally {
    errorClass.prepareStackTrace = previous;
  }
}

/** A fixed account so module tests read literal ARNs. */
export const TEST_ACCOUNT: AccountScope = { partition: "aws", region: "eu-central-2", accountId: "111122223333" };

/** A bare stack with an AWS provider, for module tests. */
export function testStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: TEST_ACCOUNT.region });
  return stack;
}

/** The deployer principal of module tests: key administrator and artifact writer. */
export const TEST_DEPLOYER_ARN = "arn:aws:iam::111122223333:role/sentinel-deployer";
