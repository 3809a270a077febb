import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";

/** The caller's principal ARN, looked up once per cold start and attributed to every audit event. */
export function callerPrincipal(sts: STSClient): () => Promise<string> {
  let principal: Promise<string> | undefined;
  return () => {
    principal ??= sts.send(new GetCallerIdentityCommand({})).then((identity) => {
      if (identity.Arn === undefined) throw new Error("STS GetCallerIdentity returned no ARN");
      return identity.Arn;
    });
    return principal;
  };
}
